import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ALL_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../shared/adapters/aws/table-design';

export interface CaseTableProps {
  districtId: string;
}

export type TableAccess = 'read' | 'readWrite';

/**
 * The item actions the case store uses (GetItem, Put/UpdateItem, Query; BatchGet and condition
 * checks for transactions). Cases are public records: DeleteItem is granted apart, only on the
 * partitions a function declares (`access.deletes`). No Scan, no DescribeTable, no stream actions
 * (the stream's one reader is an event source mapping, granted by it). A new kind of call needs its action here first; the local cloud
 * enforces these grants (infra/local/iam), so a missing one fails there as it would on AWS.
 */
export const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
  ],
};
/** An index can only be queried (or scanned, which nothing does). */
export const INDEX_ACTIONS = ['dynamodb:Query'];

/**
 * The district's single table, built from the shared table design so the local cloud and AWS
 * can never disagree on keys or indexes. Cases are public records: the table outlives the stack.
 */
export class CaseTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: CaseTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      // A fixed name keeps operators oriented and makes CloudFormation refuse to replace the table.
      tableName: `xietong-${props.districtId}-cases`,
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      // Rate-limit windows expire; cases and keys never carry the attribute.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The evaluation aggregates are kept from the change stream (functions/aggregate-cases).
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of ALL_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }

  /** The ARN of each GSI by name: grants name them instead of `<table>/index/*`. */
  get indexArns(): string[] {
    return ALL_INDEXES.map((index) => `${this.table.tableArn}/index/${index.name}`);
  }

  /**
   * Grants `access` on the items and Query on each named index. Unlike `Table.grantReadData`, no
   * `index/*` wildcard and only the actions in TABLE_ACTIONS.
   */
  grantData(grantee: IGrantable, access: TableAccess): void {
    Grant.addToPrincipal({ grantee, actions: TABLE_ACTIONS[access], resourceArns: [this.table.tableArn] });
    Grant.addToPrincipal({ grantee, actions: INDEX_ACTIONS, resourceArns: this.indexArns });
  }

  /**
   * DeleteItem on the items whose partition key starts with one of `partitionPrefixes` (a
   * subscription, a camera): the `dynamodb:LeadingKeys` condition keeps every case out of reach.
   */
  grantDelete(grantee: IGrantable, partitionPrefixes: readonly string[]): void {
    if (partitionPrefixes.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': partitionPrefixes.map((prefix) => `${prefix}*`),
          },
        },
      }),
    );
  }
}
