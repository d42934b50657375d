#!/usr/bin/env node
/** CDK app entry (`cdk.json` "app"): synthesizes the example app of `lib/example`. */
import { buildApp } from '../lib/example/index.ts';

buildApp().synth();
