// What `npm run aws:lab -- run` asks AWS to do, per scenario: the SSM commands for the sender
// and the receivers, and the security-group change scenario 2 needs. Pure: lab.ts runs them.

/** The stack's outputs the lab reads back (CfnOutput names). */
export interface LabOutputs {
  SenderInstanceId: string;
  ReceiverInstanceIds: string;
  ResultsBucket: string;
  RunDocument: string;
  HostSecurityGroup: string;
}

/** Receiver seconds per scenario: docs/aws.md's procedure (real timers: the TGW queries every 120 s). */
export const SCENARIO_SECONDS: Record<string, number> = {
  '1': 4500,
  '2': 900,
  '3': 4500,
  '4': 4500,
  '5': 2000,
  external: 4500,
  latency: 300,
  'local-latency': 0,
};
export const ALL_SCENARIOS = Object.keys(SCENARIO_SECONDS);
/** The sender starts first and outlasts the receivers by this much. */
const SENDER_MARGIN_S = 60;
const IGMP_FROM_ANY = 'IpProtocol=2,IpRanges=[{CidrIp=0.0.0.0/32,Description=IGMP queries of the Transit Gateway (sent from 0.0.0.0)}]';

export interface ScenarioPlan {
  scenario: string;
  /** aws CLI argument lists, run in order; `sendCommand` ones start an SSM command to wait for. */
  before: string[][];
  sender?: string[];
  receivers: string[];
  after: string[][];
}

function sendCommand(o: LabOutputs, instances: string[], role: 'sender' | 'receiver', scenario: string, seconds: number, runId: string): string[] {
  return [
    'ssm', 'send-command',
    '--document-name', o.RunDocument,
    '--instance-ids', ...instances,
    '--parameters', `Role=${role},Scenario=${scenario},DurationS=${seconds},RunId=${runId}`,
    '--timeout-seconds', '600',
    '--query', 'Command.CommandId', '--output', 'text',
  ];
}

export function scenarioPlan(o: LabOutputs, scenario: string, runId: string): ScenarioPlan {
  const seconds = SCENARIO_SECONDS[scenario];
  if (seconds === undefined) throw new Error(`scenario: "${scenario}" is not one of ${ALL_SCENARIOS.join(', ')}`);
  const receivers = o.ReceiverInstanceIds.split(',').filter((id) => id !== '');
  if (scenario === 'local-latency') {
    return { scenario, before: [], receivers: sendCommand(o, [o.SenderInstanceId, ...receivers], 'receiver', scenario, seconds, runId), after: [] };
  }
  const sg = ['--group-id', o.HostSecurityGroup, '--ip-permissions', IGMP_FROM_ANY];
  return {
    scenario,
    before: scenario === '2' ? [['ec2', 'revoke-security-group-ingress', ...sg]] : [],
    sender: sendCommand(o, [o.SenderInstanceId], 'sender', scenario, seconds + SENDER_MARGIN_S, runId),
    receivers: sendCommand(o, receivers, 'receiver', scenario, seconds, runId),
    after: scenario === '2' ? [['ec2', 'authorize-security-group-ingress', ...sg]] : [],
  };
}

/** Hours of host time `run` takes for these scenarios (they run one after another). */
export function runHours(scenarios: string[]): number {
  return scenarios.reduce((h, s) => h + ((SCENARIO_SECONDS[s] ?? 0) + SENDER_MARGIN_S + (s === 'local-latency' ? 600 : 0)) / 3600, 0);
}
