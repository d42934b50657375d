#!/usr/bin/env node
/** CDK app entry (`cdk.json` "app"): synthesizes the example app of `lib/stacks`. */
import { buildApp } from '../lib/stacks/app.ts';

buildApp().synth();
