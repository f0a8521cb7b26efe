// `goose-bridge sim`: the simulator's commands, each in its own module over the shared option
// parsing and run plumbing of sim-options.ts.
import type { Command } from 'commander';
import { registerPublisher } from './publisher-command.js';
import { registerSubscriber } from './subscriber-command.js';
import { registerSvPublisher } from './sv-publisher-command.js';

export function register(program: Command): void {
  const sim = program.command('sim').description('GOOSE publisher/subscriber simulator (IEC 61850-8-1 retransmission schedule)');
  registerPublisher(sim);
  registerSvPublisher(sim);
  registerSubscriber(sim);
}
