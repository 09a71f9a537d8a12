// Async: pick the paid order up and mark it fulfilled.
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { log } from '../log.mjs';

const db = new DynamoDBClient({});
const TABLE = process.env.ORDERS_TABLE ?? 'shop-orders';

export const handler = async (event) => {
  const { orderId } = event;
  log.appendKeys({ orderId });
  const { Item } = await db.send(new GetItemCommand({ TableName: TABLE, Key: { orderId: { S: orderId } } }));
  if (!Item) throw new Error(`order ${orderId} not found`);
  await db.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: { orderId: { S: orderId } },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: 'FULFILLED' } },
    }),
  );
  log.info('order fulfilled', { orderId });
  return { orderId, status: 'FULFILLED' };
};
