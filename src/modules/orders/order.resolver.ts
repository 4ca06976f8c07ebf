import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ConnectionArgs, type Connection } from '../../platform/graphql/pagination';
import type { RequestContext } from '../../platform/graphql/request-context';
import { Access } from '../../platform/graphql/roles';
import { contactByIdLoader, ContactType, type Contact } from '../contacts/contacts.module';
import type { OrderItem } from './order-item.entity';
import { Order, OrderStatus } from './order.entity';
import { orderItemsByOrderId } from './order.loaders';
import { OrderService } from './order.service';
import { CreateOrderInput, OrderConnection, OrderFilter, OrderItemInput, OrderItemType, OrderType } from './order.types';

/** Everyone reads orders; managers create and move them. */
@Resolver(() => OrderType)
export class OrderResolver {
  private readonly service = new OrderService();

  @Authorized(Access.READ)
  @Query(() => OrderConnection, { description: 'The organisation\'s orders, paginated' })
  orders(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg('filter', () => OrderFilter, { description: 'Narrows the list; omitted means all', nullable: true }) filter: OrderFilter | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Order>> {
    return this.service.list(ctx, args, filter);
  }

  @Authorized(Access.READ)
  @Query(() => OrderType, { description: 'One order; null when there is no such order', nullable: true })
  order(@Arg('id', () => ID, { description: 'The order\'s ID' }) id: string, @Ctx() ctx: RequestContext): Promise<Order | null> {
    return this.service.get(ctx, id);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => OrderType, { description: 'The order and its items in one transaction; the total comes from the database' })
  createOrder(@Arg('input', () => CreateOrderInput, { description: 'The new order' }) input: CreateOrderInput, @Ctx() ctx: RequestContext): Promise<Order> {
    return this.service.create(ctx, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => OrderType, { description: 'Moves along the ladder; the same status again changes nothing' })
  updateOrderStatus(
    @Arg('id', () => ID, { description: 'The order to update' }) id: string,
    @Arg('status', () => OrderStatus, { description: 'The new status' }) status: OrderStatus,
    @Ctx() ctx: RequestContext,
  ): Promise<Order> {
    return this.service.updateStatus(ctx, id, status);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => OrderType, { description: 'Only while the order is PENDING' })
  addOrderItem(
    @Arg('orderId', () => ID, { description: 'The order to add the item to' }) orderId: string,
    @Arg('input', () => OrderItemInput, { description: 'The line item to add' }) input: OrderItemInput,
    @Ctx() ctx: RequestContext,
  ): Promise<Order> {
    return this.service.addItem(ctx, orderId, input);
  }

  @Authorized(Access.MANAGE)
  @Mutation(() => OrderType, { description: 'Only while the order is PENDING; returns the order' })
  removeOrderItem(@Arg('id', () => ID, { description: 'The order item to remove' }) id: string, @Ctx() ctx: RequestContext): Promise<Order> {
    return this.service.removeItem(ctx, id);
  }

  @FieldResolver(() => ContactType, { nullable: true, description: 'The customer (batched); null once the contact is erased' })
  async contact(@Root() order: Order, @Ctx() ctx: RequestContext): Promise<Contact | null> {
    return (await contactByIdLoader(ctx)).load(order.contactId);
  }

  @FieldResolver(() => [OrderItemType], { description: 'The order lines' })
  async items(@Root() order: Order, @Ctx() ctx: RequestContext): Promise<OrderItem[]> {
    return (await orderItemsByOrderId(ctx)).load(order.id);
  }
}
