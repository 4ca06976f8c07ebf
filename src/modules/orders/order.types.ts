import { ArrayMaxSize, ArrayMinSize, IsEnum, IsInt, IsISO4217CurrencyCode, IsOptional, IsUUID, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType } from '../../platform/graphql/pagination';
import { OrderStatus } from './order.entity';

registerEnumType(OrderStatus, {
  name: 'OrderStatus', valuesConfig: { PENDING: { description: 'Created, not yet confirmed' }, CONFIRMED: { description: 'Confirmed' }, SHIPPED: { description: 'On its way' }, DELIVERED: { description: 'Received by the customer' }, CANCELLED: { description: 'Cancelled before delivery' } },
  description: 'PENDING → CONFIRMED → SHIPPED → DELIVERED; CANCELLED from any state before DELIVERED',
});

/** Bounds that keep any order total exact in a JavaScript number (and in GraphQL's SafeInt). */
export const MAX_ITEM_QUANTITY = 100_000;
export const MAX_UNIT_PRICE_CENTS = 100_000_000;
export const MAX_ORDER_ITEMS = 200;

@ObjectType('OrderItem', { description: 'One line of an order' })
export class OrderItemType {
  @Field(() => ID, { description: 'The line\'s ID' }) id: string;
  @Field({ description: 'Product name' }) productName: string;
  @Field(() => String, { description: 'Stock-keeping unit; null when not given', nullable: true }) sku: string | null;
  @Field(() => Int, { description: 'Number of units' }) quantity: number;
  @Field(() => Int, { description: 'Price of one unit in cents (minor currency units)' }) unitPriceCents: number;
  @Field(() => GraphQLSafeInt, { description: 'quantity × unitPriceCents, computed by the database' }) lineTotalCents: number;
  @Field({ description: 'When the line was added' }) createdAt: Date;
}

@ObjectType('Order', { description: 'A customer order placed for a contact' })
export class OrderType {
  @Field(() => ID, { description: 'The order\'s ID' }) id: string;
  @Field(() => ID, { description: 'The contact who ordered' }) contactId: string;
  @Field(() => OrderStatus, { description: 'Where the order is in its lifecycle' }) status: OrderStatus;
  @Field({ description: 'ISO 4217' }) currency: string;
  @Field(() => GraphQLSafeInt, { description: 'Sum of the items, kept by the database' }) totalCents: number;
  @Field(() => String, { description: 'Free-text notes; null when empty', nullable: true }) notes: string | null;
  @Field({ description: 'When the order was created' }) createdAt: Date;
  @Field({ description: 'When the order last changed' }) updatedAt: Date;
}

export const OrderConnection = ConnectionType(OrderType);

@InputType({ description: 'One order line' })
export class OrderItemInput {
  @Field({ description: 'Product name, 1-255 characters' }) @Length(1, 255) productName: string;
  @Field(() => String, { description: 'Stock-keeping unit, 1-100 characters', nullable: true }) @IsOptional() @Length(1, 100) sku?: string | null;
  @Field(() => Int, { description: 'Number of units, 1-100,000' }) @IsInt() @Min(1) @Max(MAX_ITEM_QUANTITY) quantity: number;
  @Field(() => Int, { description: 'Price of one unit in cents (minor currency units), 0-100,000,000' }) @IsInt() @Min(0) @Max(MAX_UNIT_PRICE_CENTS) unitPriceCents: number;
}

@InputType({ description: 'A new order' })
export class CreateOrderInput {
  @Field(() => ID, { description: 'The contact who ordered' }) @IsUUID() contactId: string;
  @Field({ description: 'ISO 4217, e.g. USD' }) @IsISO4217CurrencyCode() currency: string;
  @Field(() => String, { description: 'Free-text notes, at most 4,000 characters', nullable: true }) @IsOptional() @MaxLength(4000) notes?: string | null;
  @Field(() => [OrderItemInput], { description: 'The order lines, 1-200' })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_ITEMS)
  @ValidateNested()
  items: OrderItemInput[];
}

@InputType({ description: 'Narrows the orders; omitted fields do not filter' })
export class OrderFilter {
  @Field(() => ID, { nullable: true, description: "One contact's orders" }) @IsOptional() @IsUUID() contactId?: string;
  @Field(() => OrderStatus, { description: 'Only orders in this status', nullable: true }) @IsOptional() @IsEnum(OrderStatus) status?: OrderStatus;
}
