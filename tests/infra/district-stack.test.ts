import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp } from '../../infra/district-app';
import { NODE_MAJOR } from '../../infra/node-runtime';
import { CORS_ALLOWED_HEADERS } from '../../infra/stack/api';
import { DISTRICT_TAG } from '../../infra/stack/district-stack';
import { timeoutOf } from '../../infra/stack/functions';
import { ROLES } from '../../infra/stack/identity';
import { ROUTER_MAX_CONCURRENCY } from '../../infra/stack/queues';
import { ALL_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../shared/adapters/aws/table-design';
import { ENV } from '../../shared/runtime/env';
import {
  authOf,
  CASE_CHANGES_BATCH,
  consumes,
  FUNCTIONS,
  type FunctionSpec,
  triggersOfKind,
} from '../../shared/runtime/functions';
import {
  asList,
  type CfnResource,
  onlyResourceOf,
  policyStatements,
  resourcesOf,
  type TestApp,
  testApp,
  variablesOf,
} from './synth';

let synth: TestApp;
let template: Template;

// One synth for the file, with the built-in CloudFormation validation the CLI runs too.
beforeAll(() => {
  synth = testApp({ validate: true });
  template = Template.fromStack(buildDistrictApp(synth.app, { district: 'sandun' }));
});
afterAll(() => synth.dispose());

/** What the deadline timers' state machine role may do on "*" (log delivery, X-Ray). */
const STATE_MACHINE_WILDCARD_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];

const functionOf = (spec: FunctionSpec): [string, CfnResource] => {
  const found = resourcesOf(template, 'AWS::Lambda::Function').filter(
    ([, fn]) => fn.Properties.Description === spec.description,
  );
  expect(found, `one function for ${spec.name}`).toHaveLength(1);
  return found[0]!;
};

const roleIdOf = (spec: FunctionSpec): string => {
  const [, fn] = functionOf(spec);
  return (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
};

/** Every action any identity policy attached to the function's role allows. */
const actionsOf = (spec: FunctionSpec): string[] => {
  const roleId = roleIdOf(spec);
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      asList(policy.Properties.Roles as unknown[]).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap(([, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap(
        (s) => asList(s.Action),
      ),
    );
};

const specNamed = (name: string): FunctionSpec => {
  const spec = FUNCTIONS.find((s) => s.name === name);
  if (!spec) throw new Error(`FUNCTIONS has no ${name}`);
  return spec;
};

describe('the case table', () => {
  it('is on-demand, recoverable, protected from deletion and retained', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'xietong-sandun-cases',
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
      }),
    });
  });

  it('has the GSIs of the table design, string keys, all attributes projected', () => {
    const [, table] = onlyResourceOf(template, 'AWS::DynamoDB::Table');
    const indexes = table.Properties.GlobalSecondaryIndexes as unknown[];
    expect(indexes).toHaveLength(ALL_INDEXES.length);
    expect(indexes).toEqual(
      ALL_INDEXES.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    const attributes = table.Properties.AttributeDefinitions as {
      AttributeName: string;
      AttributeType: string;
    }[];
    expect(attributes.every((a) => a.AttributeType === 'S')).toBe(true);
  });

  it('expires rate-limit windows with TTL on expiresAt', () => {
    const [, table] = onlyResourceOf(template, 'AWS::DynamoDB::Table');
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TTL_ATTRIBUTE,
      Enabled: true,
    });
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
  });

  it('carries the district tag', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      Tags: Match.arrayWith([{ Key: DISTRICT_TAG, Value: 'sandun' }]),
    });
  });
});

describe('the intake queue', () => {
  const queues = () => {
    const all = resourcesOf(template, 'AWS::SQS::Queue');
    // The deadline timers have queues of their own (tests/infra/timers.test.ts).
    const intake = all.find(([id]) => id.startsWith('IntakeQueue'));
    const dlq = all.find(([id]) => id.startsWith('IntakeDeadLetterQueue'));
    if (!intake || !dlq) throw new Error('expected an intake queue and its DLQ');
    return { intake, dlq };
  };

  it('redrives to a 14-day dead-letter queue after 5 receives', () => {
    // Intake, due checks, notifications and export jobs: each with its DLQ; and the case-change
    // stream's failure queue.
    template.resourceCountIs('AWS::SQS::Queue', 9);
    const { intake, dlq } = queues();
    expect(intake[1].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlq[0], 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(dlq[1].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('is a high-throughput FIFO queue (one routing area per message group) with a FIFO DLQ', () => {
    const { intake, dlq } = queues();
    expect(intake[1].Properties).toMatchObject({
      FifoQueue: true,
      FifoThroughputLimit: 'perMessageGroupId',
      DeduplicationScope: 'messageGroup',
    });
    expect(dlq[1].Properties.FifoQueue).toBe(true);
  });

  it('keeps messages invisible for at least six times the consumer timeout', () => {
    const { intake } = queues();
    const consumer = specNamed('route-reports');
    expect(intake[1].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * timeoutOf(consumer).toSeconds(),
    );
  });

  it('encrypts every queue with SQS-managed keys and refuses plain HTTP', () => {
    for (const [, queue] of resourcesOf(template, 'AWS::SQS::Queue')) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    }
    template.resourceCountIs('AWS::SQS::QueuePolicy', 9);
    template.allResourcesProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('alarms on a non-empty DLQ and on old messages, both notifying the encrypted topic', () => {
    const [topicId] = onlyResourceOf(template, 'AWS::SNS::Topic');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const { dlq, intake } = queues();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq[0], 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [intake[0], 'QueueName'] } }],
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: topicId }],
    });
  });
});

describe('the functions', () => {
  it('are one Node 22 arm64 function per FUNCTIONS entry, traced, logging JSON to their own log group', () => {
    // Ours, plus CDK's handlers: the one that copies the built cockpit into its bucket during deploys
    // and the one of the evidence bucket's notification custom resource.
    const platform = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('Fn'));
    expect(platform).toHaveLength(FUNCTIONS.length);
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length + 2);
    expect(
      resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) =>
        id.startsWith('BucketNotificationsHandler'),
      ),
    ).toHaveLength(1);
    for (const spec of FUNCTIONS) {
      const [, fn] = functionOf(spec);
      expect(fn.Properties).toMatchObject({
        Runtime: `nodejs${NODE_MAJOR}.x`,
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: spec.memoryMb ?? 512,
        Timeout: timeoutOf(spec).toSeconds(),
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.any(String) } },
      });
    }
    // One per function, the API's access logs and the deadline timers' state machine.
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 90 }, FUNCTIONS.length + 2);
  });

  it('get the district file, claim names, Powertools settings, and the table/queue only where they have access', () => {
    for (const spec of FUNCTIONS) {
      const [, fn] = functionOf(spec);
      const variables = variablesOf(fn);
      expect(variables).toMatchObject({
        [ENV.districtFile]: 'district.json',
        [ENV.claimRole]: 'cognito:groups',
        [ENV.claimDepartment]: 'custom:department',
        [ENV.claimZone]: 'custom:zone',
        POWERTOOLS_SERVICE_NAME: 'xietong',
        POWERTOOLS_METRICS_NAMESPACE: 'Xietong/sandun',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(ENV.tableName in variables, `${spec.name} table env`).toBe(spec.access.table !== 'none');
      expect(ENV.intakeQueueUrl in variables, `${spec.name} queue env`).toBe(
        spec.access.intakeQueue !== 'none' || consumes(spec, 'intake'),
      );
    }
  });

  it('consume the intake queue in batches of 10 with partial batch failures, no window (FIFO), capped', () => {
    const consumers = FUNCTIONS.filter((s) => consumes(s, 'intake'));
    const queueConsumers = FUNCTIONS.filter((s) => triggersOfKind(s, 'queue').length > 0);
    const streamConsumers = FUNCTIONS.filter((s) => triggersOfKind(s, 'caseChanges').length > 0);
    template.resourceCountIs(
      'AWS::Lambda::EventSourceMapping',
      queueConsumers.length + streamConsumers.length,
    );
    for (const spec of consumers) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionOf(spec)[0] },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: Match.absent(),
        ScalingConfig: { MaximumConcurrency: ROUTER_MAX_CONCURRENCY },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('feed the evaluation aggregator from the table’s stream: case items only, big batches, failures parked', () => {
    const [tableId, table] = onlyResourceOf(template, 'AWS::DynamoDB::Table');
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const consumers = FUNCTIONS.filter((s) => triggersOfKind(s, 'caseChanges').length > 0);
    expect(consumers.map((s) => s.name)).toEqual(['aggregate-cases']);
    const [failuresId] = resourcesOf(template, 'AWS::SQS::Queue').find(([id]) =>
      id.startsWith('CaseChangeFailures'),
    ) ?? [''];
    expect(failuresId).not.toBe('');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionOf(specNamed('aggregate-cases'))[0] },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: CASE_CHANGES_BATCH.batchSize,
      MaximumBatchingWindowInSeconds: CASE_CHANGES_BATCH.maxBatchingWindowSeconds,
      MaximumRetryAttempts: CASE_CHANGES_BATCH.retryAttempts,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failuresId, 'Arn'] } } },
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { sk: { S: ['CASE'] } } } }) }],
      },
    });
  });

  it("wait for their role's grants (DependsOn its DefaultPolicy) without repeating the role a GetAtt names", () => {
    // An event source mapping is refused until the role may read the queue: the policy dependency
    // must stay. The role itself is already implied by Role: GetAtt (cfn-lint W3005).
    const resources = template.toJSON().Resources as Record<string, { DependsOn?: string[] }>;
    for (const spec of FUNCTIONS) {
      const [functionId] = functionOf(spec);
      const roleId = roleIdOf(spec);
      expect(resources[functionId]?.DependsOn, spec.name).toEqual([
        expect.stringMatching(new RegExp(`^${roleId.replace(/[0-9A-F]{8}$/, '')}DefaultPolicy`)),
      ]);
    }
    const [machineId, machine] = onlyResourceOf(template, 'AWS::StepFunctions::StateMachine');
    const machineRoleId = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(resources[machineId]?.DependsOn).toEqual([
      expect.stringMatching(new RegExp(`^${machineRoleId.replace(/[0-9A-F]{8}$/, '')}DefaultPolicy`)),
    ]);
  });

  it('run the unrouted-report sweep every 5 minutes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [functionOf(specNamed('sweep-unrouted'))[0], 'Arn'] } }),
      ],
    });
  });
});

describe('the export job queue', () => {
  const queues = () => {
    const all = resourcesOf(template, 'AWS::SQS::Queue');
    const jobs = all.find(([id]) => id.startsWith('ExportJobsQueue'));
    const dlq = all.find(([id]) => id.startsWith('ExportJobsDeadLetterQueue'));
    if (!jobs || !dlq) throw new Error('expected an export job queue and its DLQ');
    return { jobs, dlq };
  };

  it('is a standard queue that parks a job message after 5 receives and outlasts the worker six times', () => {
    const { jobs, dlq } = queues();
    expect(jobs[1].Properties.FifoQueue).toBeUndefined();
    expect(jobs[1].Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlq[0], 'Arn'] },
      maxReceiveCount: 5,
    });
    expect(jobs[1].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
      6 * timeoutOf(specNamed('export-worker')).toSeconds(),
    );
  });

  it('feeds the export worker with partial batch failures; the API only sends, and only signs links', () => {
    const { jobs } = queues();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionOf(specNamed('export-worker'))[0] },
      EventSourceArn: { 'Fn::GetAtt': [jobs[0], 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const api = actionsOf(specNamed('export-jobs'));
    expect(api).toContain('sqs:SendMessage');
    expect(api).toContain('s3:GetObject');
    expect(api).not.toContain('sqs:ReceiveMessage');
    expect(api).not.toContain('s3:PutObject');
    const worker = actionsOf(specNamed('export-worker'));
    for (const action of [
      'sqs:SendMessage',
      'sqs:ChangeMessageVisibility',
      's3:PutObject',
      's3:DeleteObject',
    ]) {
      expect(worker).toContain(action);
    }
  });
});

const STREAM_ACTIONS = [
  'dynamodb:ListStreams',
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
];

describe('least privilege', () => {
  it('lets only the stream’s consumer read the table’s stream, on the stream’s ARN', () => {
    const streamReads = policyStatements(template).filter(({ statement }) =>
      asList(statement.Action).some(
        (action) => STREAM_ACTIONS.includes(action) && action !== 'dynamodb:ListStreams',
      ),
    );
    expect(streamReads.length).toBeGreaterThan(0);
    for (const { statement, resource } of streamReads) {
      expect(resource.startsWith('Fnaggregatecases'), resource).toBe(true);
      expect(JSON.stringify(statement.Resource)).toContain('StreamArn');
    }
  });

  it('grants each function exactly its declared access', () => {
    for (const spec of FUNCTIONS) {
      const actions = actionsOf(spec);
      expect(actions.includes('dynamodb:Query'), `${spec.name} reads`).toBe(spec.access.table !== 'none');
      expect(actions.includes('dynamodb:PutItem'), `${spec.name} writes`).toBe(
        spec.access.table === 'readWrite',
      );
      // The notifier fans case events out onto its own queue: consuming it includes sending to it.
      // The export worker queues a job again to continue it: consuming includes sending too.
      expect(actions.includes('sqs:SendMessage'), `${spec.name} sends`).toBe(
        spec.access.intakeQueue === 'send' ||
          spec.access.notifications === 'send' ||
          consumes(spec, 'notifications') ||
          (spec.access.exportJobs ?? 'none') !== 'none' ||
          consumes(spec, 'exportJobs') ||
          // Lambda parks a failed stream batch in the failure queue with the function's role.
          triggersOfKind(spec, 'caseChanges').length > 0,
      );
      expect(actions.includes('sqs:ReceiveMessage'), `${spec.name} receives`).toBe(
        triggersOfKind(spec, 'queue').length > 0,
      );
      expect(actions.includes('states:StartExecution'), `${spec.name} starts timers`).toBe(
        spec.access.timers === 'start',
      );
      expect(actions.includes('states:SendTaskSuccess'), `${spec.name} answers timers`).toBe(
        spec.access.timers === 'reply',
      );
    }
  });

  it('names each index instead of granting <table>/index/*, and grants no scan, batch write or describe', () => {
    const tableArn = JSON.stringify({
      'Fn::GetAtt': [onlyResourceOf(template, 'AWS::DynamoDB::Table')[0], 'Arn'],
    });
    // The stream's reads are the event source mapping's (see the test on the stream above).
    const dynamo = policyStatements(template).filter(
      ({ statement }) =>
        asList(statement.Action).some((action) => action.startsWith('dynamodb:')) &&
        !asList(statement.Action).some((action) => STREAM_ACTIONS.includes(action)),
    );
    expect(dynamo.length).toBeGreaterThan(0);
    for (const { statement } of dynamo) {
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toContain(tableArn);
      expect(resources).not.toContain('*');
      if (resources.includes('/index/')) {
        expect(statement.Action).toBe('dynamodb:Query');
        expect(asList(statement.Resource)).toHaveLength(ALL_INDEXES.length);
        for (const index of ALL_INDEXES) expect(resources).toContain(`/index/${index.name}"`);
      }
      for (const forbidden of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DescribeTable']) {
        expect(asList(statement.Action)).not.toContain(forbidden);
      }
    }
  });

  it('grants DeleteItem only to the functions that delete, only on their partitions (never a case)', () => {
    const deletes = policyStatements(template).filter(({ statement }) =>
      asList(statement.Action).includes('dynamodb:DeleteItem'),
    );
    const deleting = FUNCTIONS.filter((spec) => (spec.access.deletes ?? []).length > 0);
    expect(deleting.map((spec) => spec.name).sort()).toEqual(['cameras', 'subscriptions']);
    expect(deletes).toHaveLength(deleting.length);
    for (const { statement } of deletes) {
      expect(statement.Action).toBe('dynamodb:DeleteItem');
      const prefixes = (statement as { Condition?: Record<string, Record<string, string[]>> }).Condition?.[
        'ForAllValues:StringLike'
      ]?.['dynamodb:LeadingKeys'];
      expect(prefixes).toHaveLength(1);
      expect(prefixes?.[0]).toMatch(/^(SUB|CAMERA)#\*$/);
    }
  });

  it('lets the key authorizer read the table (GetItem) but never write it', () => {
    const actions = actionsOf(specNamed('key-authorizer'));
    expect(actions).toContain('dynamodb:GetItem');
    for (const write of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:*',
    ]) {
      expect(actions).not.toContain(write);
    }
    expect(actions.some((action) => action.startsWith('sqs:'))).toBe(false);
  });

  it('gives the meta function no table writes and intake no queue reads', () => {
    expect(actionsOf(specNamed('meta'))).not.toContain('dynamodb:PutItem');
    expect(actionsOf(specNamed('meta'))).not.toContain('dynamodb:UpdateItem');
    expect(actionsOf(specNamed('intake'))).not.toContain('sqs:ReceiveMessage');
  });

  it('attaches no managed policies to the function roles (logs go to their own log group only)', () => {
    for (const spec of FUNCTIONS) {
      const role = template.findResources('AWS::IAM::Role')[roleIdOf(spec)];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('has no "*" action anywhere and "*" resources only where AWS requires them', () => {
    const statements = policyStatements(template);
    expect(statements.length).toBeGreaterThan(0);
    for (const { statement, resource } of statements) {
      expect(asList(statement.Action), `${resource} ${statement.Sid ?? ''}`).not.toContain('*');
    }
    const wildcards = statements.filter(({ statement }) => asList(statement.Resource).includes('*'));
    for (const { type, statement, resource } of wildcards) {
      if (type === 'AWS::KMS::Key') continue; // a key policy can only name its own key as "*"
      if (resource.startsWith('TimersStateMachineRole')) {
        // Step Functions' log delivery and X-Ray APIs have no resource-level permissions.
        expect(asList(statement.Action).sort()).toEqual([...STATE_MACHINE_WILDCARD_ACTIONS].sort());
        continue;
      }
      if (resource.startsWith('CustomCDKBucketDeployment')) {
        // Deploying the cockpit invalidates CloudFront's copies: no resource-level permissions.
        expect(asList(statement.Action).sort()).toEqual([
          'cloudfront:CreateInvalidation',
          'cloudfront:GetInvalidation',
        ]);
        continue;
      }
      if (asList(statement.Action).includes('dynamodb:ListStreams')) {
        // Finding a table's stream has no resource-level permissions (reading it is on its ARN);
        // CDK merges it with X-Ray's, which have none either.
        expect(resource.startsWith('Fnaggregatecases'), resource).toBe(true);
        for (const action of asList(statement.Action)) {
          expect(['dynamodb:ListStreams', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']).toContain(
            action,
          );
        }
        continue;
      }
      // X-Ray's trace APIs have no resource-level permissions.
      expect(asList(statement.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
    expect(wildcards.some(({ type }) => type === 'AWS::IAM::Policy')).toBe(true);
  });
});

/** The SRP client for scripts and the cockpit's authorization-code client (see tests/infra/web.test.ts). */
const clientNamed = (part: string): [string, CfnResource] => {
  const found = resourcesOf(template, 'AWS::Cognito::UserPoolClient').find(([id]) => id.includes(part));
  if (!found) throw new Error(`no user pool client ${part}`);
  return found;
};
const apiClient = () => clientNamed('WebClient');
const cockpitClient = () => clientNamed('CockpitClient');

describe('the HTTP API', () => {
  const allRoutes = FUNCTIONS.flatMap((spec) => spec.routes);

  it('has one route per FUNCTIONS route, each integrated with its function', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', allRoutes.length);
    template.resourceCountIs(
      'AWS::ApiGatewayV2::Integration',
      FUNCTIONS.filter((spec) => spec.routes.length > 0).length,
    );
  });

  it('puts the JWT authorizer on every user route, the key authorizer on machine routes, none on public ones', () => {
    const authorizerOf = (type: string) => {
      const found = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer').filter(
        ([, a]) => a.Properties.AuthorizerType === type,
      );
      expect(found, type).toHaveLength(1);
      return found[0]![0];
    };
    const jwtAuthorizerId = authorizerOf('JWT');
    const keyAuthorizerId = authorizerOf('REQUEST');
    const routes = new Map(
      resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => [
        r.Properties.RouteKey as string,
        r.Properties,
      ]),
    );
    for (const route of allRoutes) {
      const properties = routes.get(`${route.method} ${route.path}`);
      expect(properties, `${route.method} ${route.path}`).toBeDefined();
      const auth = authOf(route);
      if (auth === 'none') {
        expect(properties?.AuthorizationType).toBe('NONE');
        expect(properties?.AuthorizerId).toBeUndefined();
      } else if (auth === 'apiKey') {
        expect(properties?.AuthorizationType).toBe('CUSTOM');
        expect(properties?.AuthorizerId).toEqual({ Ref: keyAuthorizerId });
      } else {
        expect(properties?.AuthorizationType).toBe('JWT');
        expect(properties?.AuthorizerId).toEqual({ Ref: jwtAuthorizerId });
      }
    }
    expect(allRoutes.some((r) => r.public)).toBe(true);
  });

  it('guards only the machine intake routes with the integration-key authorizer: x-api-key, simple responses, no cache', () => {
    const customRoutes = resourcesOf(template, 'AWS::ApiGatewayV2::Route')
      .filter(([, r]) => r.Properties.AuthorizationType === 'CUSTOM')
      .map(([, r]) => r.Properties.RouteKey);
    // The keyed machine routes, and nothing else: machine reports, 12345 tickets and callbacks (department
    // events and camera alerts are signed instead, checked by their functions).
    expect(customRoutes.sort()).toEqual([
      'POST /v1/integrations/hotline/callbacks',
      'POST /v1/integrations/hotline/tickets',
      'POST /v1/integrations/reports',
    ]);
    const [authorizerId, authorizer] = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer').find(
      ([, a]) => a.Properties.AuthorizerType === 'REQUEST',
    )!;
    const [functionId] = functionOf(specNamed('key-authorizer'));
    expect(authorizer.Properties).toMatchObject({
      IdentitySource: ['$request.header.x-api-key'],
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(functionId);
    // API Gateway may invoke the authorizer function, for this authorizer only.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`/authorizers/$`), { Ref: authorizerId }])],
      }),
    });
  });

  it("trusts the user pool's issuer and app client", () => {
    const [poolId] = onlyResourceOf(template, 'AWS::Cognito::UserPool');
    const [clientId] = apiClient();
    const [cockpitId] = cockpitClient();
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }, { Ref: cockpitId }],
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.',
              { Ref: 'AWS::Region' },
              '.',
              { Ref: 'AWS::URLSuffix' },
              '/',
              { Ref: poolId },
            ],
          ],
        },
      },
    });
  });

  it('logs every request as JSON and throttles the default stage', () => {
    const accessLogs = resourcesOf(template, 'AWS::Logs::LogGroup').filter(([id]) =>
      id.startsWith('ApiAccessLogs'),
    );
    expect(accessLogs).toHaveLength(1);
    const logGroupId = accessLogs[0]?.[0];
    const [, stage] = onlyResourceOf(template, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingBurstLimit: expect.any(Number),
        ThrottlingRateLimit: expect.any(Number),
      },
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
    });
    const format = JSON.parse((stage.Properties.AccessLogSettings as { Format: string }).Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latency: '$context.responseLatency',
    });
  });

  it('allows the Authorization, Content-Type and Idempotency-Key headers cross-origin', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowHeaders: CORS_ALLOWED_HEADERS }),
    });
  });
});

describe('the user pool', () => {
  it('has no self sign-up, the six role groups and department/zone attributes users cannot write', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      DeletionProtection: 'ACTIVE',
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'department', AttributeDataType: 'String', Mutable: true }),
        Match.objectLike({ Name: 'zone', AttributeDataType: 'String', Mutable: true }),
      ]),
    });
    const groups = resourcesOf(template, 'AWS::Cognito::UserPoolGroup').map(
      ([, g]) => g.Properties.GroupName,
    );
    expect(groups.sort()).toEqual([...ROLES].sort());
    for (const [, client] of [apiClient(), cockpitClient()]) {
      expect(client.Properties.GenerateSecret).toBe(false);
      const writable = client.Properties.WriteAttributes as string[];
      expect(writable.some((a) => a.startsWith('custom:'))).toBe(false);
    }
  });

  it('asks for 12 characters with upper and lower case, digits and symbols', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });
});

describe('the outputs', () => {
  it('name the API URL, table, queues, issuer and user pool', () => {
    const outputs = Object.keys(template.toJSON().Outputs ?? {});
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'TableName',
        'IntakeQueueUrl',
        'IntakeDeadLetterQueueUrl',
        'JwtIssuer',
        'UserPoolId',
        'UserPoolClientId',
      ]),
    );
  });
});
