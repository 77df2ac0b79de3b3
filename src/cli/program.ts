import { Command } from 'commander';
import { VERSION } from '../node/index.js';
import { registerAgreementCommands } from './commands/agreements.js';
import { registerDeclarationCommands } from './commands/declarations.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerFederationCommands } from './commands/federation.js';
import { registerLogCommands } from './commands/log.js';
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
  registerAgreementCommands(program);
  registerDeclarationCommands(program);
  registerLogCommands(program);
  registerFederationCommands(program);
  registerDemoCommand(program);
  return program;
}
