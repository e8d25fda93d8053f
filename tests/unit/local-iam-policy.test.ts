import { describe, expect, it } from 'vitest';
import { decide, type Statement } from '../../infra/local/iam/policy';
import { requestedAccess } from '../../infra/local/iam/requests';
import { resolveIntrinsics } from '../../infra/local/iam/template';

/** The local cloud's IAM evaluation: the rules of identity policies it claims to honour. */

const allow = (actions: string[], resources: string[]): Statement => ({
  effect: 'Allow',
  actions,
  resources,
  origin: 'test',
});
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/xietong-sandun';

describe('identity policy evaluation', () => {
  it('allows only what a statement names, action names case-insensitively, ARNs exactly', () => {
    const statements = [allow(['dynamodb:GetItem'], [TABLE])];
    expect(decide(statements, 'dynamodb:getitem', TABLE).effect).toBe('allow');
    expect(decide(statements, 'dynamodb:PutItem', TABLE).effect).toBe('implicitDeny');
    expect(decide(statements, 'dynamodb:GetItem', TABLE.toUpperCase()).effect).toBe('implicitDeny');
    // A table grant is not an index grant.
    expect(decide(statements, 'dynamodb:GetItem', `${TABLE}/index/gsi1-all`).effect).toBe('implicitDeny');
  });

  it('honours * and ? in actions and resources', () => {
    const statements = [
      allow(['s3:Get*'], ['arn:aws:s3:::evidence/cases/*']),
      allow(['sqs:?endMessage'], ['*']),
    ];
    expect(decide(statements, 's3:GetObject', 'arn:aws:s3:::evidence/cases/c1/a.jpg').effect).toBe('allow');
    expect(decide(statements, 's3:GetObject', 'arn:aws:s3:::evidence/thumbnails/a.jpg').effect).toBe(
      'implicitDeny',
    );
    expect(decide(statements, 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:0:q').effect).toBe('allow');
  });

  it('lets an explicit Deny win over any Allow, and reads NotAction and NotResource', () => {
    const statements: Statement[] = [
      allow(['dynamodb:*'], ['*']),
      {
        effect: 'Deny',
        notActions: ['dynamodb:Get*', 'dynamodb:Query'],
        resources: ['*'],
        origin: 'd',
      },
      { effect: 'Deny', actions: ['dynamodb:Query'], notResources: [TABLE], origin: 'e' },
    ];
    expect(decide(statements, 'dynamodb:GetItem', TABLE).effect).toBe('allow');
    expect(decide(statements, 'dynamodb:DeleteItem', TABLE).effect).toBe('explicitDeny');
    expect(decide(statements, 'dynamodb:Query', TABLE).effect).toBe('allow');
    expect(decide(statements, 'dynamodb:Query', `${TABLE}/index/gsi2-status`).effect).toBe('explicitDeny');
  });

  it('evaluates dynamodb:LeadingKeys conditions and takes keys it cannot supply as holding', () => {
    const statements: Statement[] = [
      {
        effect: 'Allow',
        actions: ['dynamodb:DeleteItem'],
        resources: [TABLE],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SUB#*'] } },
        origin: 'delete',
      },
      {
        effect: 'Allow',
        actions: ['dynamodb:GetItem'],
        resources: [TABLE],
        conditions: { StringEquals: { 'aws:PrincipalTag/team': 'x' } },
        origin: 'tagged',
      },
    ];
    const keys = (pk: string) => ({ 'dynamodb:leadingkeys': [pk] });
    expect(decide(statements, 'dynamodb:DeleteItem', TABLE, keys('SUB#1')).effect).toBe('allow');
    expect(decide(statements, 'dynamodb:DeleteItem', TABLE, keys('CASE#1')).effect).toBe('implicitDeny');
    expect(decide(statements, 'dynamodb:GetItem', TABLE, keys('CASE#1')).effect).toBe('allow');
  });
});

describe('what a call asks of IAM', () => {
  it('builds the resource ARNs the way AWS does', () => {
    expect(requestedAccess('dynamodb', 'Query', { TableName: 't1', IndexName: 'gsi2-status' })).toEqual([
      {
        action: 'dynamodb:Query',
        resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/t1/index/gsi2-status',
      },
    ]);
    expect(requestedAccess('dynamodb', 'BatchGetItem', { RequestItems: { t1: {}, t2: {} } })).toHaveLength(2);
    expect(
      requestedAccess('sqs', 'SendMessageBatch', {
        QueueUrl: 'http://sqs.localhost:9324/000000000000/intake',
      }),
    ).toEqual([{ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:intake' }]);
    expect(requestedAccess('s3', 'HeadObject', { Bucket: 'b', Key: 'cases/c1/a.jpg' })).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/cases/c1/a.jpg' },
    ]);
    expect(
      requestedAccess('s3', 'CopyObject', {
        Bucket: 'b',
        Key: 'cases/x',
        CopySource: 'b/snapshots/%E5%9B%BE.jpg',
      }),
    ).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/snapshots/图.jpg' },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::b/cases/x' },
    ]);
    expect(requestedAccess('s3', 'ListObjectsV2', { Bucket: 'b', Prefix: 'cases/' })).toEqual([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' },
    ]);
    expect(
      requestedAccess(
        'states',
        'SendTaskSuccess',
        { taskToken: 't' },
        () => 'arn:aws:states:us-east-1:0:stateMachine:m',
      ),
    ).toEqual([{ action: 'states:SendTaskSuccess', resource: 'arn:aws:states:us-east-1:0:stateMachine:m' }]);
  });

  it('resolves the intrinsics of a synthesized policy against local names', () => {
    const resources = new Map([['Table', { ref: 'local-table', attributes: { Arn: TABLE } }]]);
    expect(
      resolveIntrinsics(
        {
          'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/gsi1-all']],
        },
        resources,
      ),
    ).toBe(`${TABLE}/index/gsi1-all`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${} syntax
    expect(resolveIntrinsics({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Table}/*' }, resources)).toBe(
      'arn:aws:s3:::local-table/*',
    );
    expect(resolveIntrinsics({ Ref: 'LogGroup' }, resources)).toBe('local-unmapped:LogGroup');
  });
});
