// The bridge's sub-commands: run, status, monitor, doctor, teardown.
import type { Command } from 'commander';
import { registerDoctorCommand } from './doctor-command.js';
import { registerRunCommand } from './run-command.js';
import { registerStatusCommands } from './status-command.js';
import { registerTeardownCommand } from './teardown-command.js';

export function register(program: Command): void {
  registerRunCommand(program);
  registerStatusCommands(program);
  registerDoctorCommand(program);
  registerTeardownCommand(program);
}
