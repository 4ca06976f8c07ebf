import type { AppModule } from '../../platform/app-module';
import { OrderItem } from './order-item.entity';
import { Order } from './order.entity';
import { OrderResolver } from './order.resolver';

export const ordersEntities = [Order, OrderItem];

/** Orders of contacts, with their items and status flow. */
export function createOrdersModule(): AppModule {
  return { name: 'orders', resolvers: [new OrderResolver()], routes: [], jobs: [], eventConsumers: [] };
}
