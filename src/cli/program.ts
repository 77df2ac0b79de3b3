import { Command } from 'commander';
import { VERSION } from '../node/index.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerNodeCommands } from './commands/node.js';
import { registerUserCommands } from './commands/users.js';

/** Builds the `concord` command; exported so tests can list and drive it. */
export function buildProgram(): Command {
  const program = new Command('concord')
    .description('Concord: a node of the international customs cooperation network')
    .version(VERSION)
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerNodeCommands(program);
  registerUserCommands(program);
  registerDemoCommand(program);
  return program;
}
