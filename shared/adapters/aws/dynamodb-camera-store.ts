import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Camera } from '../../domain/camera';
import type { CameraStore } from '../../ports';
import {
  CAMERAS_PARTITION,
  cameraCellPartition,
  cameraFromItem,
  cameraKey,
  cameraZonePartition,
  toCameraItem,
} from './camera-item';
import { INDEXES, type IndexDesign } from './table-design';

export interface DynamoCameraStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** Far more pages than a district's cameras fill; a list stops there rather than paging forever. */
const MAX_PAGES = 50;

/** The camera registry in the single table: reads are Get or Query on an index partition, never a Scan. */
export class DynamoCameraStore implements CameraStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoCameraStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  private async conditionalPut(camera: Camera, condition: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toCameraItem(camera),
          ConditionExpression: condition,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  create(camera: Camera): Promise<boolean> {
    return this.conditionalPut(camera, 'attribute_not_exists(pk)');
  }

  replace(camera: Camera): Promise<boolean> {
    return this.conditionalPut(camera, 'attribute_exists(pk)');
  }

  async remove(id: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: cameraKey(id),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(id: string): Promise<Camera | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: cameraKey(id) }),
    );
    return Item ? cameraFromItem(Item) : undefined;
  }

  private async partition(index: IndexDesign, partition: string): Promise<Camera[]> {
    const cameras: Camera[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index.partitionKey },
          ExpressionAttributeValues: { ':pk': partition },
          ...(startKey && { ExclusiveStartKey: startKey }),
        }),
      );
      cameras.push(...(result.Items ?? []).map(cameraFromItem));
      startKey = result.LastEvaluatedKey;
      if (!startKey) break;
    }
    return cameras;
  }

  list(zone?: string): Promise<Camera[]> {
    return zone === undefined
      ? this.partition(INDEXES.all, CAMERAS_PARTITION)
      : this.partition(INDEXES.byZone, cameraZonePartition(zone));
  }

  async inCells(cells: string[]): Promise<Camera[]> {
    const perCell = await Promise.all(
      cells.map((cell) => this.partition(INDEXES.byCell, cameraCellPartition(cell))),
    );
    return perCell.flat();
  }
}
