// `npm run aws:lab -- deploy|run|collect|destroy`: the real Transit Gateway lab through the
// AWS CLI (v2, credentials and region from its usual configuration). The template is the one
// `aws:synth` writes; it has no assets, so plain `aws cloudformation deploy` deploys it without
// CDK bootstrap. Progress on stderr; `collect` prints the folder it wrote on stdout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { STACK_NAME, synthLab } from './app.js';
import { ALL_SCENARIOS, runHours, scenarioPlan, type LabOutputs } from './lab-plan.js';

const say = (line: string) => process.stderr.write(`aws:lab: ${line}\n`);

function aws(args: string[]): string {
  try {
    return execFileSync('aws', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { status?: number };
    if (e.code === 'ENOENT') throw new Error('the AWS CLI (aws) is not on PATH: install AWS CLI v2 and configure credentials and a region');
    throw new Error(`aws ${args.slice(0, 2).join(' ')} failed (exit ${e.status})`);
  }
}

function outputs(): LabOutputs {
  const text = aws(['cloudformation', 'describe-stacks', '--stack-name', STACK_NAME, '--query', 'Stacks[0].Outputs', '--output', 'json']);
  const list = JSON.parse(text) as Array<{ OutputKey: string; OutputValue: string }>;
  return Object.fromEntries(list.map((o) => [o.OutputKey, o.OutputValue])) as unknown as LabOutputs;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until every invocation of the SSM command ended; throws unless all succeeded. */
async function waitFor(commandId: string, what: string): Promise<void> {
  for (;;) {
    const statuses = aws(['ssm', 'list-command-invocations', '--command-id', commandId, '--query', 'CommandInvocations[].Status', '--output', 'text']).split(/\s+/).filter(Boolean);
    if (statuses.length > 0 && statuses.every((s) => !['Pending', 'InProgress', 'Delayed'].includes(s))) {
      if (statuses.some((s) => s !== 'Success')) throw new Error(`${what}: ${statuses.join(', ')} (aws ssm list-command-invocations --command-id ${commandId} --details)`);
      return;
    }
    await sleep(30_000);
  }
}

async function run(scenarios: string[], runId: string): Promise<void> {
  const o = outputs();
  say(`run ${runId}: scenarios ${scenarios.join(', ')}, about ${runHours(scenarios).toFixed(1)} h`);
  for (const scenario of scenarios) {
    const plan = scenarioPlan(o, scenario, runId);
    for (const args of plan.before) aws(args);
    try {
      const sender = plan.sender === undefined ? undefined : aws(plan.sender);
      if (sender !== undefined) await sleep(10_000); // the stream runs before the receivers start
      const receivers = aws(plan.receivers);
      say(`scenario ${scenario}: running (receivers ${receivers}${sender === undefined ? '' : `, sender ${sender}`})`);
      await waitFor(receivers, `scenario ${scenario} receivers`);
      if (sender !== undefined) await waitFor(sender, `scenario ${scenario} sender`);
    } finally {
      for (const args of plan.after) aws(args);
    }
  }
  say(`done: npm run aws:lab -- collect`);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      repo: { type: 'string' },
      ref: { type: 'string' },
      hosts: { type: 'string', default: '2' },
      scenarios: { type: 'string', default: ALL_SCENARIOS.join(',') },
      'run-id': { type: 'string', default: new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19) },
      out: { type: 'string', default: 'reports/aws-lab' },
    },
  });
  const git = (args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  switch (positionals[0]) {
    case 'deploy': {
      const template = synthLab(mkdtempSync(join(tmpdir(), 'gb-aws-lab-')), Number(values.hosts));
      const repo = values.repo ?? git(['remote', 'get-url', 'origin']);
      const ref = values.ref ?? git(['rev-parse', 'HEAD']);
      say(`deploying ${STACK_NAME} (${values.hosts} hosts, ${repo} at ${ref}); the hosts install goose-bridge in about 10 minutes after it completes`);
      aws(['cloudformation', 'deploy', '--stack-name', STACK_NAME, '--template-file', template, '--capabilities', 'CAPABILITY_IAM', '--parameter-overrides', `GitRepository=${repo}`, `GitRef=${ref}`]);
      return;
    }
    case 'run':
      return run(values.scenarios!.split(','), values['run-id']!);
    case 'collect':
      aws(['s3', 'sync', `s3://${outputs().ResultsBucket}/runs`, values.out!]);
      process.stdout.write(`${values.out}\n`);
      return;
    case 'destroy':
      aws(['s3', 'rm', `s3://${outputs().ResultsBucket}`, '--recursive']);
      aws(['cloudformation', 'delete-stack', '--stack-name', STACK_NAME]);
      aws(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', STACK_NAME]);
      say(`${STACK_NAME} deleted`);
      return;
    default:
      throw new Error(`command: "${positionals[0] ?? ''}" is not one of deploy, run, collect, destroy`);
  }
}

main().catch((err: Error) => {
  say(err.message);
  process.exitCode = 1;
});
