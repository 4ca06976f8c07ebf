import { Check, Column, CreateDateColumn, Entity, Index, ManyToOne, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintAsNumber } from '../../platform/db/bigint-transformer';
import { Contact } from '../contacts/contacts.module';
import { OrderItem } from './order-item.entity';

export enum OrderStatus {
  PENDING = 'PENDING',
  CONFIRMED = 'CONFIRMED',
  SHIPPED = 'SHIPPED',
  DELIVERED = 'DELIVERED',
  CANCELLED = 'CANCELLED',
}


@Entity({ name: 'orders' })
@Check('CHK_orders_currency', `"currency" ~ '^[A-Z]{3}$'`)
@Check('CHK_orders_total_cents', `"total_cents" >= 0`)
export class Order {
  @PrimaryGeneratedColumn('uuid') id: string;

  /** RESTRICT: an order is a financial record; erasing a contact must deal with its orders first. */
  @ManyToOne(() => Contact, { onDelete: 'RESTRICT' }) contact: Contact;

  @Index('IDX_orders_contact') @Column('uuid') contactId: string;

  @Column({ type: 'varchar', length: 20, default: OrderStatus.PENDING }) status: OrderStatus;

  /** ISO 4217, upper case. */
  @Column({ type: 'char', length: 3 }) currency: string;

  /**
   * DERIVED: sum of order_items.line_total_cents, kept by the trigger order_items_refresh_order_total.
   * Never written by the app (insert/update false); reload the order after changing items.
   */
  @Column({ type: 'bigint', default: 0, insert: false, update: false, transformer: bigintAsNumber })
  totalCents: number;

  @Column({ type: 'text', nullable: true }) notes: string | null;

  @OneToMany(() => OrderItem, (item) => item.order) items: OrderItem[];

  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt: Date;
}
