// The shell the lab hosts run: user data (install goose-bridge from a git ref) and the SSM run
// step (one igmp/latency scenario on one host, results copied to the lab's bucket).

export const NODE_VERSION = '20.19.5';
export const APP_DIR = '/opt/goose-bridge';
/** Group and port of the bridge and of suite:igmp --real (the checklist's defaults). */
export const GROUP = '224.0.1.100';
export const PORT = 61850;

/** User data: Ubuntu packages, Node from nodejs.org, the checkout at the ref, `goose-bridge install`. */
export function userDataLines(repository: string, ref: string): string[] {
  return [
    'set -euxo pipefail',
    'export DEBIAN_FRONTEND=noninteractive HOME=/root',
    'apt-get update',
    'apt-get install -y git g++ make python3 iproute2 procps nftables tcpdump ethtool libpcap-dev curl xz-utils',
    'snap install aws-cli --classic',
    `curl -fsSL https://nodejs.org/dist/v${NODE_VERSION}/node-v${NODE_VERSION}-linux-x64.tar.xz | tar -xJ -C /usr/local --strip-components=1`,
    `git clone ${repository} ${APP_DIR}`,
    `cd ${APP_DIR} && git checkout ${ref}`,
    `cd ${APP_DIR} && npm ci --no-audit --no-fund`,
    `cd ${APP_DIR} && node bin/goose-bridge.js install`,
  ];
}

/**
 * The run step: {{Role}} sender|receiver, {{Scenario}} 1..5 (suite:igmp --real), external (the
 * daemon holds the membership), latency (GOOSE through both bridges: sim publisher → subscriber),
 * local-latency (suite:latency on this host, namespaces vs VXLAN); results to s3://bucket/runs/.
 */
export function runStepLines(bucket: string): string[] {
  const common = `--real --group ${GROUP} --port ${PORT} --mcast-if "$IF"`;
  return [
    'set -euo pipefail',
    'export HOME=/root # npm needs one; Run Command gives none',
    'cloud-init status --wait > /dev/null # user data (the install) has finished',
    `cd ${APP_DIR}`,
    'IF=$(ip -4 route show default | awk \'{print $5; exit}\')',
    'TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")',
    'ID=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)',
    'OUT=/var/tmp/goose-bridge-lab/{{RunId}}/{{Scenario}}/$ID',
    'mkdir -p "$OUT"',
    'case "{{Role}}:{{Scenario}}" in',
    '  *:local-latency) npm run suite:latency -- --smoke --out "$OUT" ;;',
    '  sender:latency) systemctl start goose-bridge; sleep 5; node bin/goose-bridge.js sim publisher --interface goose0 --publishers 4 --event-interval 1000 --duration {{DurationS}} ;;',
    '  receiver:latency) systemctl start goose-bridge; node bin/goose-bridge.js sim subscriber --interface goose0 --duration {{DurationS}} --csv "$OUT/streams.csv" --recv-log "$OUT/messages.csv" --json > "$OUT/subscriber.json" ;;',
    `  sender:*) systemctl stop goose-bridge; npm run suite:igmp -- ${common} --role sender --duration {{DurationS}} --rate 200 ;;`,
    `  receiver:external) systemctl start goose-bridge; npm run suite:igmp -- ${common} --role receiver --scenario 4 --member external --duration {{DurationS}} --out "$OUT" ;;`,
    `  receiver:[1-5]) systemctl stop goose-bridge; npm run suite:igmp -- ${common} --role receiver --scenario {{Scenario}} --duration {{DurationS}} --out "$OUT" ;;`,
    '  *) echo "unknown role:scenario {{Role}}:{{Scenario}}" >&2; exit 2 ;;',
    'esac',
    'node bin/goose-bridge.js status --json > "$OUT/bridge-status.json" || true',
    `aws s3 cp --recursive "$OUT" "s3://${bucket}/runs/{{RunId}}/{{Scenario}}/$ID/"`,
  ];
}
