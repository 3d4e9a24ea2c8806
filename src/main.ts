#!/usr/bin/env node
import { runRetirementBot } from './app/run-retirement-bot.js';
import { ConfigError } from './config/config-error.js';

runRetirementBot(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`retirement-bot cannot start.\n${error.userMessage}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `retirement-bot failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
