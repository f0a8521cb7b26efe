// `npm run aws:synth -- --out DIR`: writes the lab's CloudFormation template without an AWS
// account or network (the AMI comes from a public SSM parameter resolved at deploy time).
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GooseBridgeLabStack } from './lab-stack.js';

export const STACK_NAME = 'GooseBridgeLab';

/** Synthesizes the lab (checked by cdk-nag's AwsSolutions pack) into `outDir`; returns the template's path. */
export function synthLab(outDir: string, hosts = 2): string {
  const app = new App({ outdir: outDir });
  const stack = new GooseBridgeLabStack(app, STACK_NAME, { hosts });
  // The acknowledged findings and their reasons also go into the template's Metadata (cdk_nag).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
  const assembly = app.synth();
  return `${assembly.directory}/${assembly.getStackByName(stack.stackName).templateFile}`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'cdk.out' }, hosts: { type: 'string', default: '2' } } });
  process.stdout.write(`${synthLab(values.out!, Number(values.hosts))}\n`);
}
