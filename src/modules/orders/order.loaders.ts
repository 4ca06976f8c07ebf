import DataLoader from 'dataloader';
import { In } from 'typeorm';
import type { RequestContext } from '../../platform/graphql/request-context';
import { OrderItem } from './order-item.entity';

/** Items of many orders in one query, oldest first. */
export const orderItemsByOrderId = (ctx: RequestContext) =>
  ctx.loaders.get<string, OrderItem[]>('order.items', (manager, options) =>
    new DataLoader(async (orderIds) => {
      const rows = await manager.getRepository(OrderItem).find({
        where: { orderId: In([...orderIds]) },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
      const byOrder = new Map<string, OrderItem[]>();
      for (const row of rows) byOrder.set(row.orderId, [...(byOrder.get(row.orderId) ?? []), row]);
      return orderIds.map((id) => byOrder.get(id) ?? []);
    }, options),
  );
