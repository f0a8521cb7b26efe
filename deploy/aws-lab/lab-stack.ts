// The real Transit Gateway lab: a VPC, a Transit Gateway multicast domain with IGMPv2, bridge
// hosts in subnets of two AZs (checklist security-group rules, source/destination check off,
// goose-bridge installed from a git ref), an S3 bucket for results and the SSM run step.
// No assets and no bootstrap: the template deploys with plain CloudFormation.
import { CfnOutput, CfnParameter, DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { PORT, runStepLines, userDataLines } from './host-scripts.js';

export interface LabProps extends StackProps {
  /** Bridge hosts (≥ 2): the first sends, the others receive. */
  hosts?: number;
  instanceType?: string;
}

export const ROLE_TAG = 'goose-bridge-lab:role';
const LAB_CIDR = '10.61.0.0/16';
const UBUNTU_AMI = '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id';

export class GooseBridgeLabStack extends Stack {
  constructor(scope: Construct, id: string, props: LabProps = {}) {
    super(scope, id, { ...props, synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
    const hosts = props.hosts ?? 2;
    if (!Number.isInteger(hosts) || hosts < 2) throw new Error(`hosts: ${hosts} is not a whole number ≥ 2 (one sender, at least one receiver)`);
    const repository = new CfnParameter(this, 'GitRepository', { description: 'git URL the hosts clone goose-bridge from' });
    const ref = new CfnParameter(this, 'GitRef', { description: 'commit, tag or branch the hosts check out', default: 'main' });

    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(LAB_CIDR),
      maxAzs: 2,
      natGateways: 0,
      restrictDefaultSecurityGroup: false, // its custom resource would be an asset; nothing uses the default group
      subnetConfiguration: [{ name: 'hosts', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
    });
    const subnets = vpc.publicSubnets;

    const tgw = new ec2.CfnTransitGateway(this, 'TransitGateway', { description: 'goose-bridge lab', multicastSupport: 'enable' });
    const attachment = new ec2.CfnTransitGatewayVpcAttachment(this, 'Attachment', { transitGatewayId: tgw.ref, vpcId: vpc.vpcId, subnetIds: subnets.map((s) => s.subnetId) });
    const domain = new ec2.CfnTransitGatewayMulticastDomain(this, 'MulticastDomain', {
      transitGatewayId: tgw.ref,
      options: { Igmpv2Support: 'enable', StaticSourcesSupport: 'disable', AutoAcceptSharedAssociations: 'disable' },
    });
    subnets.forEach(
      (s, i) =>
        new ec2.CfnTransitGatewayMulticastDomainAssociation(this, `DomainAssociation${i}`, {
          transitGatewayMulticastDomainId: domain.attrTransitGatewayMulticastDomainId,
          transitGatewayAttachmentId: attachment.attrId,
          subnetId: s.subnetId,
        }),
    );

    const bucket = new s3.Bucket(this, 'Results', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY, // `aws:lab destroy` empties it first
      lifecycleRules: [{ expiration: Duration.days(30) }],
    });

    const sg = new ec2.SecurityGroup(this, 'Hosts', { vpc, description: 'goose-bridge lab hosts', allowAllOutbound: true });
    sg.addIngressRule(ec2.Peer.ipv4(LAB_CIDR), ec2.Port.udp(PORT), 'GB1 / suite:igmp datagrams from the other hosts');
    sg.addIngressRule(ec2.Peer.ipv4('0.0.0.0/32'), new ec2.Port({ protocol: ec2.Protocol.IGMP, stringRepresentation: 'IGMP' }), 'IGMP queries of the Transit Gateway (sent from 0.0.0.0)');

    const role = new iam.Role(this, 'HostRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    bucket.grantPut(role, 'runs/*');

    const instances = Array.from({ length: hosts }, (_, i) => {
      const userData = ec2.UserData.forLinux();
      userData.addCommands(...userDataLines(repository.valueAsString, ref.valueAsString));
      const instance = new ec2.Instance(this, `Host${i}`, {
        vpc,
        vpcSubnets: { subnets: [subnets[i % subnets.length]!] },
        instanceType: new ec2.InstanceType(props.instanceType ?? 'c6i.large'),
        machineImage: ec2.MachineImage.fromSsmParameter(UBUNTU_AMI),
        securityGroup: sg,
        role,
        userData,
        sourceDestCheck: false,
        requireImdsv2: true,
        detailedMonitoring: true,
        associatePublicIpAddress: true, // apt, nodejs.org, npm and git without a NAT gateway; no inbound rule but the two above
        blockDevices: [{ deviceName: '/dev/sda1', volume: ec2.BlockDeviceVolume.ebs(16, { encrypted: true }) }],
      });
      Tags.of(instance).add(ROLE_TAG, i === 0 ? 'sender' : 'receiver');
      return instance;
    });

    const runStep = new ssm.CfnDocument(this, 'RunStep', {
      documentType: 'Command',
      content: {
        schemaVersion: '2.2',
        description: 'goose-bridge lab: one suite:igmp --real or latency scenario on this host; results to the lab bucket',
        parameters: {
          Role: { type: 'String', allowedValues: ['sender', 'receiver'] },
          Scenario: { type: 'String', allowedPattern: '^([1-5]|external|latency|local-latency)$' },
          DurationS: { type: 'String', allowedPattern: '^[0-9]{1,5}$' },
          RunId: { type: 'String', allowedPattern: '^[0-9A-Za-z-]{1,40}$' },
        },
        mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { timeoutSeconds: '10800', runCommand: runStepLines(bucket.bucketName) } }],
      },
    });

    new CfnOutput(this, 'SenderInstanceId', { value: instances[0]!.instanceId });
    new CfnOutput(this, 'ReceiverInstanceIds', { value: instances.slice(1).map((h) => h.instanceId).join(',') });
    new CfnOutput(this, 'ResultsBucket', { value: bucket.bucketName });
    new CfnOutput(this, 'RunDocument', { value: runStep.ref });
    new CfnOutput(this, 'HostSecurityGroup', { value: sg.securityGroupId });
    new CfnOutput(this, 'MulticastDomainId', { value: domain.attrTransitGatewayMulticastDomainId });
    this.acknowledgeNagFindings(bucket, role, instances);
  }

  /** Each cdk-nag (AwsSolutions) finding the lab accepts, with why. */
  private acknowledgeNagFindings(bucket: s3.Bucket, role: iam.Role, instances: ec2.Instance[]): void {
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(this.node.findChild('Vpc'), 'AwsSolutions-VPC7', "A lab VPC that lives for hours and carries only the suites' own traffic, every datagram of which the suites record; flow logs would add cost and nothing to read");
    ack(bucket, 'AwsSolutions-S1', "Holds the suites' CSVs for 30 days, written only by the hosts' role; access logs would need a second bucket that outlives the lab");
    ack(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]', 'The AWS-maintained minimum for Systems Manager Run Command, which the lab uses instead of SSH');
    const bucketId = this.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    for (const finding of ['Action::s3:Abort*', `Resource::<${bucketId}.Arn>/runs/*`]) {
      ack(role, `AwsSolutions-IAM5[${finding}]`, 'Object keys are made per run and host under runs/ of the one results bucket: the wildcard is that key prefix (s3:PutObject and the abort of its multipart uploads)');
    }
    for (const instance of instances) ack(instance, 'AwsSolutions-EC29', 'Lab hosts are created and destroyed with the stack (`aws:lab destroy`); termination protection would only stand in the way');
  }
}
