import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { AppError, ErrorCode, notFound } from '../../platform/errors';
import { pageByCreatedAt } from '../../platform/graphql/keyset-pagination';
import { withDbErrors } from '../../platform/db/pg-errors';
import type { Connection, ConnectionArgs } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Contact } from '../contacts/contacts.module';
import { requireReference } from '../../platform/db/require-reference';
import { OrderItem } from './order-item.entity';
import { Order, OrderStatus } from './order.entity';
import { orderItemsByOrderId } from './order.loaders';
import { canMoveOrder, ORDER_TRANSITIONS } from './order-status';
import { orderEvent, OrderEventType } from './order.events';
import { MAX_ORDER_ITEMS, type CreateOrderInput, type OrderFilter, type OrderItemInput } from './order.types';

/**
 * Orders and their items. The total is never computed here: the trigger on order_items keeps
 * orders.total_cents, and every change reads the order back. Item changes and status moves lock
 * the order row first, so they serialise with each other.
 */
export class OrderService {
  async list(ctx: RequestContext, args: ConnectionArgs, filterOrNull: OrderFilter | null = {}): Promise<Connection<Order>> {
    const filter = filterOrNull ?? {}; // an explicit null filter means none
    const manager = await ctx.tenant().manager();
    const query = manager.getRepository(Order).createQueryBuilder('order_row');
    if (filter.contactId) query.andWhere('order_row.contact_id = :contactId', { contactId: filter.contactId });
    if (filter.status) query.andWhere('order_row.status = :status', { status: filter.status });
    return pageByCreatedAt(query, args);
  }

  async get(ctx: RequestContext, id: string): Promise<Order | null> {
    if (!isUUID(id)) return null;
    return (await ctx.tenant().manager()).getRepository(Order).findOneBy({ id });
  }

  async create(ctx: RequestContext, input: CreateOrderInput): Promise<Order> {
    return withDbErrors(() =>
      ctx.tenant().transaction(async ({ manager: tx, record }) => {
        await requireReference(tx, Contact, input.contactId, 'contactId', 'contact');
        const inserted = await tx.getRepository(Order).insert({
          contactId: input.contactId,
          currency: input.currency,
          notes: input.notes ?? null,
          status: OrderStatus.PENDING,
        });
        const orderId: string = inserted.identifiers[0].id;
        const items = input.items.map((item) => itemRow(orderId, item));
        await tx.getRepository(OrderItem).insert(items);
        const order = await tx.getRepository(Order).findOneByOrFail({ id: orderId });
        record(orderEvent(OrderEventType.CREATED, order, { items: items.map(({ orderId: _, ...item }) => item) }));
        return order;
      }),
    );
  }

  async updateStatus(ctx: RequestContext, id: string, status: OrderStatus): Promise<Order> {
    return ctx.tenant().transaction(async ({ manager: tx, record }) => {
      const order = await lockOrder(tx, id);
      if (order.status === status) return order;
      if (!canMoveOrder(order.status, status)) {
        throw new AppError(ErrorCode.CONFLICT, `An order cannot go from ${order.status} to ${status}`, {
          from: order.status,
          to: status,
          allowed: ORDER_TRANSITIONS[order.status],
        });
      }
      await tx.getRepository(Order).update({ id }, { status });
      const moved = await tx.getRepository(Order).findOneByOrFail({ id });
      record(orderEvent(OrderEventType.STATUS_CHANGED, moved, { previousStatus: order.status }));
      return moved;
    });
  }

  async addItem(ctx: RequestContext, orderId: string, input: OrderItemInput): Promise<Order> {
    const order = await withDbErrors(() =>
      ctx.tenant().transaction(async ({ manager: tx, record }) => {
        const order = await lockPendingOrder(tx, orderId);
        if ((await tx.getRepository(OrderItem).countBy({ orderId })) >= MAX_ORDER_ITEMS) {
          throw new AppError(ErrorCode.CONFLICT, `An order has at most ${MAX_ORDER_ITEMS} items`);
        }
        const { orderId: _, ...added } = itemRow(order.id, input);
        await tx.getRepository(OrderItem).insert(itemRow(order.id, input));
        const changed = await tx.getRepository(Order).findOneByOrFail({ id: order.id });
        record(orderEvent(OrderEventType.ITEMS_CHANGED, changed, { added }));
        return changed;
      }),
    );
    (await orderItemsByOrderId(ctx)).clear(order.id);
    return order;
  }

  async removeItem(ctx: RequestContext, itemId: string): Promise<Order> {
    const manager = await ctx.tenant().manager();
    const item = isUUID(itemId) ? await manager.getRepository(OrderItem).findOneBy({ id: itemId }) : null;
    if (!item) throw notFound('Order item');
    const order = await ctx.tenant().transaction(async ({ manager: tx, record }) => {
      await lockPendingOrder(tx, item.orderId);
      if ((await tx.getRepository(OrderItem).countBy({ orderId: item.orderId })) <= 1) {
        throw new AppError(ErrorCode.CONFLICT, 'An order keeps at least one item; cancel the order instead');
      }
      const result = await tx.getRepository(OrderItem).delete({ id: itemId, orderId: item.orderId });
      if (!result.affected) throw notFound('Order item');
      const changed = await tx.getRepository(Order).findOneByOrFail({ id: item.orderId });
      record(orderEvent(OrderEventType.ITEMS_CHANGED, changed, { removed: { id: item.id, productName: item.productName, sku: item.sku } }));
      return changed;
    });
    (await orderItemsByOrderId(ctx)).clear(order.id);
    return order;
  }
}

function itemRow(orderId: string, item: OrderItemInput) {
  return { orderId, productName: item.productName.trim(), sku: item.sku ?? null, quantity: item.quantity, unitPriceCents: item.unitPriceCents };
}

async function lockOrder(tx: EntityManager, id: string): Promise<Order> {
  const order = isUUID(id) ? await tx.getRepository(Order).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
  if (!order) throw notFound('Order');
  return order;
}

async function lockPendingOrder(tx: EntityManager, id: string): Promise<Order> {
  const order = await lockOrder(tx, id);
  if (order.status !== OrderStatus.PENDING) {
    throw new AppError(ErrorCode.CONFLICT, `Items can change only while the order is PENDING; it is ${order.status}`, { status: order.status });
  }
  return order;
}
