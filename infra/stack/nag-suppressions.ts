import { CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { EXPORTS_PREFIX } from '../../shared/domain/case-export';
import { triggersOfKind } from '../../shared/runtime/functions';
import type { Api } from './api';
import { EvidenceStorage } from './evidence';
import type { ExportStorage } from './exports';
import type { XietongFunction } from './functions';
import type { Identity } from './identity';
import { isChinaPartition } from './partition';
import type { FailureQueue } from './queues';
import type { DeadlineTimers } from './timers';
import type { WebHosting } from './web';

/**
 * The parts of a district stack whose findings are acknowledged: the DistrictStack is one, and
 * naming the parts here keeps this module from importing the stack that calls it.
 */
export interface NagAcknowledgedStack extends Stack {
  readonly functions: ReadonlyMap<string, XietongFunction>;
  readonly tracing: boolean;
  readonly timers: DeadlineTimers;
  readonly evidence: EvidenceStorage;
  readonly exports: ExportStorage;
  readonly api: Api;
  readonly identity: Identity;
  readonly web: WebHosting;
  readonly caseChangeFailures: FailureQueue;
}

/**
 * The cdk-nag AwsSolutions findings the district stack keeps on purpose, one rule on named
 * resources each, with the reason. Everything else the pack checks is fixed in the stack itself
 * (see docs/security.md). An error finding that is neither fixed nor listed here fails `cdk synth`;
 * a warning is printed; tests/infra/nag.test.ts fails on either.
 *
 * cdk-nag 3 has no NagSuppressions: it reads CDK's own acknowledgements
 * (`Validations.of(resource).acknowledge`). Use the plain rule id (`AwsSolutions-L1`): cdk-nag
 * matches it itself, and the tests read acknowledgements back in that form. An acknowledgement
 * covers the construct it is made on and its children, so each one is made on the CloudFormation
 * resource itself. IAM5 findings are acknowledged per wildcard (`AwsSolutions-IAM5[Resource::*]`),
 * never for the rule as a whole.
 */
export interface NagAcknowledgement {
  id: string;
  reason: string;
  resources: CfnResource[];
}

const LIST_STREAMS =
  "dynamodb:ListStreams, which the stream event source needs to find the table's stream, has no " +
  'resource-level permissions; reading the stream (DescribeStream, GetRecords, GetShardIterator) is ' +
  "granted on the stream's ARN only.";

/** The reasons, as docs/security.md quotes them (a test compares the two). */
export const NAG_REASONS = {
  listStreams: LIST_STREAMS,
  listStreamsTraced: `${LIST_STREAMS} And X-Ray's trace APIs, which have no resource-level permissions either.`,
  failureQueue:
    "The on-failure destination of the case-change stream's event source: it holds pointers to stream batches " +
    'the evaluation aggregator kept failing on, alarms on its first message and is read by an operator; a ' +
    'dead-letter queue behind it would have nothing to catch.',
  runtime:
    'Node.js 22 is the runtime the project pins and tests: bundles target node22 and npm scripts run on the ' +
    'same Node 22 (infra/node-runtime.ts). nodejs24.x is an upgrade to make on purpose with its own test run.',
  xray:
    'Only actions with no resource-level permissions (a test pins that no other statement has a "*" resource): ' +
    'xray:PutTraceSegments and xray:PutTelemetryRecords for active tracing (functions and the deadline timers; ' +
    'not granted in AWS China, where tracing is off), and the CloudWatch Logs delivery actions Step Functions ' +
    'needs to log the deadline timers to their own log group (plus X-Ray sampling rules where tracing is on).',
  publicRoute:
    'Public on purpose (FUNCTIONS marks it public): the health probe and the OpenAPI document carry no case ' +
    'data and change nothing; the Open311 GeoReport v2 routes are public by that standard (its reads show cases ' +
    'without personal data; its POST carries the api_key in the form body, which the function checks against the ' +
    "integration key store); department systems' events and video-analytics systems' camera alerts are " +
    'authenticated by their HMAC-SHA256 signature ' +
    '(key id, timestamp within 5 minutes, signature never seen before), which the function checks against the ' +
    "key's signing secret, so no secret travels. Every other route is behind the JWT authorizer or, for " +
    'machine intake, the integration-key authorizer; the stage throttling covers these routes too.',
  mfa:
    'MFA is optional with TOTP offered (no SMS). Requiring it can only be chosen when the pool is created ' +
    'and needs TOTP enrolment in the sign-in client, which does not exist yet: decide before the first ' +
    'deploy. Districts with their own OIDC issuer have no user pool: MFA is up to their identity provider.',
  featurePlan:
    'Essentials plan: threat protection (Plus plan) is billed per monthly active user. Accounts are made ' +
    'by administrators only (no self sign-up), sign-in is SRP with a 12-character complex password.',
  geoRestriction:
    'The cockpit is for signed-in staff only (every API route but the public ones needs a token) and field ' +
    'staff use it from wherever they are sent; restricting countries is a district policy, not a default.',
  waf:
    'A web ACL for CloudFront must live in us-east-1 while the district stack lives in its own region (or in AWS ' +
    "China): attach one per district with the distribution's webAclId. Until then the API keeps its stage " +
    'throttling and token checks, and the bucket serves only static files.',
  defaultCertificate:
    "The distribution answers on its *.cloudfront.net name with CloudFront's default certificate, whose security " +
    'policy CloudFront fixes; a district that adds its own domain and ACM certificate sets TLSv1.2_2021 with it.',
  originAccessIdentity:
    'CloudFormation does not offer origin access control in AWS China: the site bucket is read through an ' +
    'origin access identity instead, and stays private (public access blocked, TLS only).',
  bucketDeployment:
    "CDK's BucketDeployment custom resource, which copies the built cockpit into the site bucket during a " +
    "deploy only: CDK's read/write action sets (s3:GetObject*, s3:List*, s3:DeleteObject*, s3:Abort*, " +
    's3:GetBucket*) on exactly the CDK asset bucket and the site bucket, cloudfront:CreateInvalidation and ' +
    'GetInvalidation (no resource-level permissions), the AWS-managed basic execution role for its logs, and ' +
    'the Lambda runtime CDK pins for it.',
  evidencePrefixes:
    'Object-level actions on one key prefix of the evidence bucket each: originals under cases/ (upload forms, ' +
    'reading for the check, deleting once moved to quarantine, camera snapshots copied in), thumbnails/, ' +
    "quarantine/ and snapshots/ (camera snapshots staged until the router knows their report's case). Object " +
    'keys are made per upload at run time; the bucket ARN is fixed, so the wildcard stays inside one prefix of ' +
    'one bucket.',
  exportsPrefix:
    'Writing and reading objects under exports/ of the exports bucket: each big export gets a key made at ' +
    'run time (date, random id, file name) and a presigned download link signed with the same role; the ' +
    'wildcard stays inside one prefix of one bucket, whose objects expire after a day. Export jobs write ' +
    'their chunks and file under exports/jobs/<job id>/ (the API function only signs links to them; the ' +
    'worker writes, reads back and deletes its chunks), with ids made per job at run time.',
  bucketNotifications:
    "The role of the custom resource CDK uses to configure the evidence bucket's notification (one per stack, " +
    'owned by aws-cdk-lib): the managed policy only lets it write its own logs; its single inline statement is ' +
    's3:PutBucketNotification.',
  stateMachineTracing:
    'X-Ray tracing is off in AWS China, as it is for the functions; every execution is still logged (ALL) ' +
    'and failed executions raise an alarm.',
} as const;

const resourceOf = (construct: IConstruct): CfnResource => {
  const child = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(child)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource to acknowledge findings on`);
  }
  return child;
};

/** What the stack acknowledges; built from the stack so a new function or public route shows up. */
export const nagAcknowledgements = (stack: NagAcknowledgedStack): NagAcknowledgement[] => {
  const functions = [...stack.functions.values()];
  const acknowledgements: NagAcknowledgement[] = [
    {
      id: 'AwsSolutions-L1',
      reason: NAG_REASONS.runtime,
      resources: functions.map((fn) => resourceOf(fn.function)),
    },
  ];
  const policyOf = (fn: (typeof functions)[number]) => resourceOf(fn.role.node.findChild('DefaultPolicy'));
  const readsStream = (fn: (typeof functions)[number]) => triggersOfKind(fn.spec, 'caseChanges').length > 0;
  if (stack.tracing) {
    acknowledgements.push({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: NAG_REASONS.xray,
      resources: functions.filter((fn) => !readsStream(fn)).map(policyOf),
    });
  }
  acknowledgements.push({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: stack.tracing ? NAG_REASONS.listStreamsTraced : NAG_REASONS.listStreams,
    resources: functions.filter(readsStream).map(policyOf),
  });
  const stateMachine = stack.timers.stateMachine;
  acknowledgements.push({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: NAG_REASONS.xray,
    resources: [resourceOf(stateMachine.role.node.findChild('DefaultPolicy'))],
  });
  if (!stack.tracing) {
    acknowledgements.push({
      id: 'AwsSolutions-SF2',
      reason: NAG_REASONS.stateMachineTracing,
      resources: [resourceOf(stateMachine)],
    });
  }
  const bucketArn = Stack.of(stack).resolve(
    Stack.of(stack).getLogicalId(resourceOf(stack.evidence.bucket)),
  ) as string;
  for (const prefix of EvidenceStorage.prefixesOf('check')) {
    acknowledgements.push({
      id: `AwsSolutions-IAM5[Resource::<${bucketArn}.Arn>/${prefix}*]`,
      reason: NAG_REASONS.evidencePrefixes,
      resources: functions
        .filter((fn) => EvidenceStorage.prefixesOf(fn.spec.access.evidence ?? 'none').includes(prefix))
        .map((fn) => resourceOf(fn.role.node.findChild('DefaultPolicy'))),
    });
  }
  const exportsArn = Stack.of(stack).resolve(
    Stack.of(stack).getLogicalId(resourceOf(stack.exports.bucket)),
  ) as string;
  acknowledgements.push({
    id: `AwsSolutions-IAM5[Resource::<${exportsArn}.Arn>/${EXPORTS_PREFIX}*]`,
    reason: NAG_REASONS.exportsPrefix,
    resources: functions
      .filter((fn) => (fn.spec.access.exports ?? 'none') !== 'none')
      .map((fn) => resourceOf(fn.role.node.findChild('DefaultPolicy'))),
  });
  const notificationsHandler = stack.node
    .findAll()
    .find((construct) => construct.node.id.startsWith('BucketNotificationsHandler'));
  if (notificationsHandler) {
    acknowledgements.push({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: NAG_REASONS.bucketNotifications,
      resources: [resourceOf(notificationsHandler.node.findChild('Role'))],
    });
  }
  acknowledgements.push({
    id: 'AwsSolutions-SQS3',
    reason: NAG_REASONS.failureQueue,
    resources: [resourceOf(stack.caseChangeFailures.queue)],
  });
  acknowledgements.push({
    id: 'AwsSolutions-APIG4',
    reason: NAG_REASONS.publicRoute,
    resources: stack.api.publicRoutes.map(resourceOf),
  });
  const userPool = stack.identity.userPool;
  if (userPool) {
    acknowledgements.push(
      { id: 'AwsSolutions-COG2', reason: NAG_REASONS.mfa, resources: [resourceOf(userPool)] },
      { id: 'AwsSolutions-COG8', reason: NAG_REASONS.featurePlan, resources: [resourceOf(userPool)] },
    );
  }
  const distribution = resourceOf(stack.web.distribution);
  acknowledgements.push(
    { id: 'AwsSolutions-CFR1', reason: NAG_REASONS.geoRestriction, resources: [distribution] },
    { id: 'AwsSolutions-CFR2', reason: NAG_REASONS.waf, resources: [distribution] },
    { id: 'AwsSolutions-CFR4', reason: NAG_REASONS.defaultCertificate, resources: [distribution] },
    ...bucketDeploymentAcknowledgements(stack),
  );
  if (isChinaPartition(stack)) {
    acknowledgements.push({
      id: 'AwsSolutions-CFR7',
      reason: NAG_REASONS.originAccessIdentity,
      resources: [distribution],
    });
  }
  return acknowledgements.filter(({ resources }) => resources.length > 0);
};

/** `<AWS::Region>` and the like, the way cdk-nag prints an unresolved value in a finding. */
const nagText = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);

/** The findings on CDK's BucketDeployment handler (one per stack), wildcard by wildcard. */
const bucketDeploymentAcknowledgements = (stack: NagAcknowledgedStack): NagAcknowledgement[] => {
  const handler = stack.node.children.find((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  );
  if (!handler) return [];
  const role = handler.node.findChild('ServiceRole');
  const policy = resourceOf(role.node.findChild('DefaultPolicy'));
  const qualifier =
    (stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ?? 'hnb659fds';
  const assets =
    `arn:${nagText(stack.partition, 'Partition')}:s3:::cdk-${qualifier}-assets-` +
    `${nagText(stack.account, 'AccountId')}-${nagText(stack.region, 'Region')}/*`;
  const site = `<${stack.getLogicalId(resourceOf(stack.web.bucket))}.Arn>/*`;
  const wildcards = [
    'Action::s3:Abort*',
    'Action::s3:DeleteObject*',
    'Action::s3:GetBucket*',
    'Action::s3:GetObject*',
    'Action::s3:List*',
    'Resource::*',
    `Resource::${site}`,
    `Resource::${assets}`,
  ];
  return [
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: NAG_REASONS.bucketDeployment,
      resources: [resourceOf(role)],
    },
    ...wildcards.map((wildcard) => ({
      id: `AwsSolutions-IAM5[${wildcard}]`,
      reason: NAG_REASONS.bucketDeployment,
      resources: [policy],
    })),
    { id: 'AwsSolutions-L1', reason: NAG_REASONS.bucketDeployment, resources: [resourceOf(handler)] },
  ];
};

/** Records every acknowledgement on its resources; the DistrictStack calls this last. */
export const acknowledgeNagFindings = (stack: NagAcknowledgedStack): NagAcknowledgement[] => {
  const acknowledgements = nagAcknowledgements(stack);
  for (const { id, reason, resources } of acknowledgements) {
    for (const resource of resources) Validations.of(resource).acknowledge({ id, reason });
  }
  return acknowledgements;
};
