/** The slice of dynalite (no published types) that `embedded-dynamodb.ts` uses. */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  /** dynalite's options; without `path` the tables live in memory. */
  interface DynaliteOptions {
    /** How long a new table stays `CREATING`, in ms. @default 500 */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** A LevelDB directory; in memory when absent. */
    path?: string;
    verbose?: boolean;
    debug?: boolean;
  }

  /** An HTTP server answering the DynamoDB JSON API (not yet listening). */
  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}
