import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDistrictApp, DISTRICTS_DIR } from '../../infra/district-app';
import { DISTRICT_TAG } from '../../infra/stack/district-stack';
import { loadDistrict } from '../../shared/district/load';
import { ENV } from '../../shared/runtime/env';
import { type CfnResource, resourcesOf, type TestApp, testApp, variablesOf } from './synth';

const DISTRICTS = ['sandun', 'liangzhu'] as const;

/** Properties that name a resource within an account and region (where two stacks could clash). */
const PHYSICAL_NAME_PROPERTIES: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Events::Rule': 'Name',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::ApiGatewayV2::Api': 'Name',
  'AWS::Cognito::UserPool': 'UserPoolName',
};

let synth: TestApp;
const templates = {} as Record<(typeof DISTRICTS)[number], Template>;
const annotations = {} as Record<(typeof DISTRICTS)[number], Annotations>;

beforeAll(() => {
  synth = testApp();
  const stacks = DISTRICTS.map((district) => buildDistrictApp(synth.app, { district }));
  stacks.forEach((stack, i) => {
    const district = DISTRICTS[i]!;
    templates[district] = Template.fromStack(stack);
    annotations[district] = Annotations.fromStack(stack);
  });
});
afterAll(() => synth.dispose());

const physicalNames = (template: Template): string[] =>
  Object.entries(PHYSICAL_NAME_PROPERTIES).flatMap(([type, property]) =>
    resourcesOf(template, type)
      .map(([, resource]) => resource.Properties[property])
      .filter((name): name is string => typeof name === 'string'),
  );

describe('Sandun and Liangzhu in one account', () => {
  it('synthesize side by side as Xietong-<id>', () => {
    expect(
      synth.app.node.children
        .filter((c) => Stack.isStack(c))
        .map((c) => c.node.id)
        .sort(),
    ).toEqual(['Xietong-liangzhu', 'Xietong-sandun']);
  });

  it('share no physical name, and every fixed name carries the district id', () => {
    const sandun = physicalNames(templates.sandun);
    const liangzhu = physicalNames(templates.liangzhu);
    expect(sandun.length).toBeGreaterThan(0);
    expect(sandun.filter((name) => liangzhu.includes(name))).toEqual([]);
    for (const name of sandun) expect(name).toContain('sandun');
    for (const name of liangzhu) expect(name).toContain('liangzhu');
  });

  it('export no names that could clash', () => {
    const exportsOf = (template: Template) =>
      Object.values(template.toJSON().Outputs ?? {})
        .map((output) => (output as { Export?: { Name: unknown } }).Export?.Name)
        .filter((name) => name !== undefined)
        .map((name) => JSON.stringify(name));
    const sandun = exportsOf(templates.sandun);
    expect(sandun.filter((name) => exportsOf(templates.liangzhu).includes(name))).toEqual([]);
  });

  it('tag their resources with their own district', () => {
    for (const district of DISTRICTS) {
      for (const [, queue] of resourcesOf(templates[district], 'AWS::SQS::Queue')) {
        expect(queue.Properties.Tags).toContainEqual({ Key: DISTRICT_TAG, Value: district });
      }
    }
  });
});

describe('identity per district', () => {
  it('Sandun (no issuer in its file) gets a Cognito user pool behind its authorizer', () => {
    expect(loadDistrict(join(DISTRICTS_DIR, 'sandun.json')).identity?.issuer).toBeUndefined();
    templates.sandun.resourceCountIs('AWS::Cognito::UserPool', 1);
    expect(Object.keys(templates.sandun.toJSON().Outputs)).toContain('UserPoolId');
  });

  it('Liangzhu trusts its own OIDC issuer and claim names, and creates no user pool', () => {
    const identity = loadDistrict(join(DISTRICTS_DIR, 'liangzhu.json')).identity;
    expect(identity?.issuer).toBeDefined();
    const template = templates.liangzhu;
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    expect(Object.keys(template.toJSON().Outputs)).not.toContain('UserPoolId');
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: identity?.issuer, Audience: identity?.audience },
    });
    for (const [id, fn] of resourcesOf(template, 'AWS::Lambda::Function') as [string, CfnResource][]) {
      // CDK's handler of the evidence bucket's notification custom resource reads no tokens.
      if (id.startsWith('BucketNotificationsHandler')) continue;
      expect(variablesOf(fn)).toMatchObject({
        [ENV.claimRole]: identity?.claims?.role ?? 'role',
        [ENV.claimDepartment]: identity?.claims?.department ?? 'department',
        [ENV.claimZone]: identity?.claims?.zone ?? 'zone',
        POWERTOOLS_METRICS_NAMESPACE: 'Xietong/liangzhu',
      });
    }
  });

  it('raise no warnings outside China', () => {
    for (const district of DISTRICTS) {
      expect(annotations[district].findWarning('*', Match.anyValue())).toEqual([]);
    }
  });
});
