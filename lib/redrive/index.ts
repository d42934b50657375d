/**
 * DLQ → source queue: the room's only way in from other folders.
 */
export { RedriveTargetError } from './redrive.ts';
export { redrive } from './redrive.ts';
