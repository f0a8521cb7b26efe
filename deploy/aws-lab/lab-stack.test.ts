// The lab's CloudFormation, checked offline: what `npm run aws:synth` writes (the checklist's
// resources and the run step), cdk-nag's AwsSolutions pack with every acknowledgment justified,
// and the plan `aws:lab run` follows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { expect } from 'chai';
import { synthLab } from './app.js';
import { GooseBridgeLabStack } from './lab-stack.js';
import { scenarioPlan, type LabOutputs } from './lab-plan.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> };
const ofType = (t: { Resources: Record<string, Resource> }, type: string) => Object.values(t.Resources).filter((r) => r.Type === type);

describe('AWS lab (CDK): the synthesized template', function () {
  this.timeout(180_000); // synthesis takes seconds to tens of seconds on a loaded machine
  let dir: string;
  let json: { Resources: Record<string, Resource>; Parameters: Record<string, unknown> };
  let template: Template;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gb-aws-synth-'));
    const r = spawnSync('npm', ['run', '--silent', 'aws:synth', '--', '--out', dir], { cwd: REPO, encoding: 'utf8', timeout: 170_000 });
    expect(r.status, r.stderr).to.equal(0);
    const path = r.stdout.trim();
    expect(path).to.equal(join(dir, 'GooseBridgeLab.template.json'));
    json = JSON.parse(readFileSync(path, 'utf8'));
    template = Template.fromJSON(json);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('npm run aws:synth -- --out DIR writes a TGW multicast domain with IGMPv2, its subnets associated', () => {
    template.hasResourceProperties('AWS::EC2::TransitGateway', { MulticastSupport: 'enable' });
    template.hasResourceProperties('AWS::EC2::TransitGatewayMulticastDomain', { Options: Match.objectLike({ Igmpv2Support: 'enable' }) });
    template.resourceCountIs('AWS::EC2::TransitGatewayMulticastDomainAssociation', 2);
  });

  it('has ≥ 2 bridge hosts with the source/destination check off, encrypted disks and IMDSv2', () => {
    const hosts = ofType(json, 'AWS::EC2::Instance');
    expect(hosts.length).to.be.at.least(2);
    for (const h of hosts) {
      expect(h.Properties.SourceDestCheck).to.equal(false);
      expect(h.Properties.BlockDeviceMappings[0].Ebs.Encrypted).to.equal(true);
    }
    template.allResourcesProperties('AWS::EC2::LaunchTemplate', { LaunchTemplateData: Match.objectLike({ MetadataOptions: { HttpTokens: 'required' } }) });
  });

  it('lets IGMP in from 0.0.0.0/32 and the GOOSE UDP port from the VPC, nothing else', () => {
    const [sg] = ofType(json, 'AWS::EC2::SecurityGroup');
    expect(sg!.Properties.SecurityGroupIngress.map((r: Record<string, unknown>) => [r.IpProtocol, r.CidrIp, r.FromPort ?? null])).to.deep.equal([
      ['udp', '10.61.0.0/16', 61850],
      ['2', '0.0.0.0/32', null],
    ]);
  });

  it('installs goose-bridge from the git ref in user data and has a run step that runs suite:igmp --real and the latency suites', () => {
    const userData = JSON.stringify(ofType(json, 'AWS::EC2::Instance')[0]!.Properties.UserData);
    for (const step of ['git clone ', 'git checkout ', 'npm ci', 'node bin/goose-bridge.js install']) expect(userData).to.include(step);
    expect(userData).to.include('"Ref":"GitRepository"').and.include('"Ref":"GitRef"');
    const [doc] = ofType(json, 'AWS::SSM::Document');
    const script = (doc!.Properties.Content.mainSteps[0].inputs.runCommand as unknown[]).map((l) => JSON.stringify(l)).join('\n');
    expect(script).to.include('npm run suite:igmp -- --real');
    expect(script).to.include('npm run suite:latency');
    expect(script).to.include('sim subscriber --interface goose0');
    expect(script).to.include('aws s3 cp --recursive');
    expect(doc!.Properties.Content.parameters.Scenario.allowedPattern).to.equal('^([1-5]|external|latency|local-latency)$');
  });

  it('deploys with plain CloudFormation: no assets, no Lambda, no bootstrap version parameter', () => {
    expect(Object.keys(json.Parameters).filter((p) => !p.startsWith('SsmParameterValue'))).to.deep.equal(['GitRepository', 'GitRef']);
    expect(Object.values(json.Resources).filter((r) => r.Type.startsWith('Custom::') || r.Type === 'AWS::Lambda::Function')).to.deep.equal([]);
    const assets = JSON.parse(readFileSync(join(dir, 'GooseBridgeLab.assets.json'), 'utf8')) as { files: Record<string, { source: { path: string } }> };
    expect(Object.values(assets.files).map((f) => f.source.path)).to.deep.equal(['GooseBridgeLab.template.json']);
  });

  it('passes cdk-nag AwsSolutions; each acknowledged finding carries its reason in the template', () => {
    const acknowledged = Object.values(json.Resources)
      .flatMap((r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Array<{ id: string; reason: string }>)
      .filter((a) => a.id.startsWith('AwsSolutions-')); // aws-cdk-lib acknowledges some cfn-lint findings of its own
    expect([...new Set(acknowledged.map((a) => a.id.replace(/\[.*$/, '')))].sort()).to.deep.equal(['AwsSolutions-EC29', 'AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-S1', 'AwsSolutions-VPC7']);
    for (const a of acknowledged) expect(a.reason.length, `${a.id}: a reason that says why`).to.be.greaterThan(60);
  });
});

describe('AWS lab (CDK): cdk-nag and the stack options', function () {
  this.timeout(120_000);

  it('cdk-nag stops synthesis on a finding nobody acknowledged (a bucket without TLS enforcement)', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'gb-aws-nag-')) });
    const stack = new GooseBridgeLabStack(app, 'Lab');
    new s3.Bucket(stack as Stack, 'Careless');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const report: string[] = [];
    const consoleError = console.error; // the CDK prints the validation report there
    console.error = (...args: unknown[]) => void report.push(args.join(' '));
    try {
      expect(() => app.synth()).to.throw(/Validation failed/);
    } finally {
      console.error = consoleError;
    }
    expect(report.join('\n')).to.include('Lab/Careless/Resource').and.include('AwsSolutions-S10');
    rmSync(app.outdir, { recursive: true, force: true });
  });

  it('hosts: 3 gives one sender and two receivers; fewer than 2 is refused naming the option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-aws-3-'));
    const t = JSON.parse(readFileSync(synthLab(dir, 3), 'utf8'));
    expect(ofType(t, 'AWS::EC2::Instance')).to.have.length(3);
    rmSync(dir, { recursive: true, force: true });
    expect(() => new GooseBridgeLabStack(new App(), 'Lab', { hosts: 1 })).to.throw(/hosts: 1 is not a whole number ≥ 2/);
  });
});

describe('aws:lab run: the plan per scenario', () => {
  const outputs: LabOutputs = { SenderInstanceId: 'i-a', ReceiverInstanceIds: 'i-b,i-c', ResultsBucket: 'b', RunDocument: 'doc', HostSecurityGroup: 'sg-1' };

  it('scenario 2 revokes the IGMP rule first and restores it after; the sender outlasts the receivers', () => {
    const p = scenarioPlan(outputs, '2', 'r1');
    expect(p.before.map((a) => a.slice(0, 2))).to.deep.equal([['ec2', 'revoke-security-group-ingress']]);
    expect(p.after.map((a) => a.slice(0, 2))).to.deep.equal([['ec2', 'authorize-security-group-ingress']]);
    expect(p.before[0]).to.include('sg-1');
    expect(p.sender).to.include('Role=sender,Scenario=2,DurationS=960,RunId=r1');
    expect(p.receivers).to.include.members(['i-b', 'i-c', 'Role=receiver,Scenario=2,DurationS=900,RunId=r1']);
  });

  it('other scenarios leave the security group alone; local-latency runs on every host; an unknown one is refused', () => {
    expect(scenarioPlan(outputs, '4', 'r1').before).to.deep.equal([]);
    const local = scenarioPlan(outputs, 'local-latency', 'r1');
    expect(local.sender).to.equal(undefined);
    expect(local.receivers).to.include.members(['i-a', 'i-b', 'i-c']);
    expect(() => scenarioPlan(outputs, '6', 'r1')).to.throw(/scenario: "6" is not one of 1, 2, 3, 4, 5, external, latency, local-latency/);
  });
});
