import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ProviderKind } from '../../../channels/channel-events';
import { ProviderError } from '../../../channels/channel-errors';
import type { ProviderRegistry } from '../../../channels/provider-registry';
import type { SessionState } from '../../../channels/whatsapp-provider';
import { camelizeRow } from '../../../platform/db/raw-rows';
import { AppError, ErrorCode, notFound, validationFailed } from '../../../platform/errors';
import type { Logger } from '../../../platform/logger';
import type { PlanLimits } from '../../../platform/tenancy/tenant-registry';
import type { ChannelRouteCache } from './channel-route-cache';
import type { SessionProviders } from './session-providers';
import { WhatsappProvider, WhatsappSessionStatus, type WhatsappSession } from './whatsapp-session.entity';
import { whatsappSessionStatusChanged } from './whatsapp-session-events';
import type { RequestContext } from '../../../platform/graphql/request-context';
import type { ConnectWhatsAppInput } from './whatsapp-session.types';

/** Every column but the (write-only) credentials. */
export const SESSION_COLUMNS = 'id, provider, name, external_session_id, status, engine, qr_code, phone_number, last_error, created_at, updated_at';

/**
 * Connecting and disconnecting channels. The control database's channel route is written
 * before the provider starts the session, so the first webhook (WAHA posts session.status at
 * once) already finds its tenant. A failed start removes what connect created.
 */
export class WhatsAppSessions {
  constructor(
    private readonly deps: {
      registry: ProviderRegistry;
      routes: ChannelRouteCache;
      providers: SessionProviders;
      log: Logger;
    },
  ) {}

  async list(manager: EntityManager): Promise<WhatsappSession[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(`SELECT ${SESSION_COLUMNS} FROM whatsapp_sessions ORDER BY created_at, id`);
    return rows.map((row) => camelizeRow<WhatsappSession>(row));
  }

  async find(manager: EntityManager, sessionId: string): Promise<WhatsappSession> {
    const rows: Array<Record<string, unknown>> = await manager.query(`SELECT ${SESSION_COLUMNS} FROM whatsapp_sessions WHERE id = $1`, [sessionId]);
    if (!rows[0]) throw notFound('WhatsApp session');
    return camelizeRow<WhatsappSession>(rows[0]);
  }

  async connect(ctx: RequestContext, input: ConnectWhatsAppInput): Promise<WhatsappSession> {
    const { tenantId } = ctx.tenant();
    const manager = await ctx.tenant().manager();
    const limits = await ctx.tenant().planLimits();
    const kind = input.provider ?? (this.deps.registry.defaultProvider() as WhatsappProvider);
    if (!this.deps.registry.isAvailable(kind)) {
      throw validationFailed(`${kind} is not configured on this server`, { field: 'provider' });
    }
    const cloud = kind === WhatsappProvider.CLOUD;
    if (cloud && (!input.phoneNumberId || !input.accessToken || !input.appSecret)) {
      throw validationFailed('A CLOUD channel needs phoneNumberId, accessToken and appSecret');
    }
    if (!cloud && (input.phoneNumberId || input.accessToken || input.appSecret)) {
      throw validationFailed('phoneNumberId, accessToken and appSecret are for CLOUD channels only');
    }
    // Sandbox channels cost nothing and reach no one: they do not count against the plan.
    if (limits.maxChannels !== null && kind !== WhatsappProvider.SANDBOX) {
      const [{ count }]: Array<{ count: number }> = await manager.query(
        "SELECT count(*)::int AS count FROM whatsapp_sessions WHERE status <> 'STOPPED' AND provider <> 'SANDBOX'",
      );
      if (count >= limits.maxChannels) {
        throw new AppError(ErrorCode.PLAN_LIMIT_REACHED, `Your plan allows ${limits.maxChannels} connected channels`, { limit: limits.maxChannels });
      }
    }

    const externalSessionId = cloud ? input.phoneNumberId! : `crm_${randomBytes(8).toString('hex')}`;
    const existingRoute = await this.deps.routes.find(kind, externalSessionId);
    let sessionId: string;
    let created = false;
    if (existingRoute) {
      // Reconnecting a Cloud number this tenant connected before reuses its channel (and history).
      if (existingRoute.tenantId !== tenantId) throw new AppError(ErrorCode.CONFLICT, 'That phone number is connected to another account');
      const session = await this.find(manager, existingRoute.sessionId);
      if (session.status !== WhatsappSessionStatus.STOPPED) throw new AppError(ErrorCode.CONFLICT, 'That phone number is already connected');
      sessionId = session.id;
    } else {
      sessionId = randomUUID();
      created = true;
    }
    const sealed = cloud
      ? this.deps.providers.sealCloudCredentials(tenantId, sessionId, { accessToken: input.accessToken!, appSecret: input.appSecret! })
      : null;

    if (created) {
      await manager.query(
        `INSERT INTO whatsapp_sessions (id, provider, name, external_session_id, status, credentials_encrypted) VALUES ($1, $2, $3, $4, 'STARTING', $5)`,
        [sessionId, kind, input.name.trim(), externalSessionId, sealed],
      );
      try {
        await this.deps.routes.register(kind as ProviderKind, externalSessionId, { tenantId, sessionId });
      } catch (error) {
        await manager.query('DELETE FROM whatsapp_sessions WHERE id = $1', [sessionId]);
        throw error;
      }
    } else {
      await manager.query(
        `UPDATE whatsapp_sessions SET name = $2, status = 'STARTING', credentials_encrypted = COALESCE($3, credentials_encrypted),
                last_error = NULL, updated_at = now() WHERE id = $1`,
        [sessionId, input.name.trim(), sealed],
      );
    }
    const handle = this.deps.providers.remember(tenantId, sessionId, kind, externalSessionId, sealed);

    let state: SessionState;
    try {
      const webhookUrl = kind === WhatsappProvider.SANDBOX ? 'sandbox://local' : this.deps.registry.webhookUrl(kind as 'WAHA' | 'CLOUD');
      if (!webhookUrl) throw validationFailed('Set PUBLIC_URL so the provider can reach our webhooks');
      state = await handle.provider.startSession({ webhookUrl, metadata: { tenantId, sessionId } });
    } catch (error) {
      this.deps.providers.forget(tenantId, sessionId);
      if (created) {
        await this.deps.routes.unregister(kind as ProviderKind, externalSessionId);
        await manager.query('DELETE FROM whatsapp_sessions WHERE id = $1', [sessionId]);
      } else {
        await manager.query(`UPDATE whatsapp_sessions SET status = 'STOPPED', last_error = $2, updated_at = now() WHERE id = $1`, [
          sessionId,
          (error as Error).message.slice(0, 1000),
        ]);
      }
      throw error;
    }
    return this.update(ctx, sessionId, state.status as WhatsappSessionStatus, state.qrCode ?? null, null);
  }

  /**
   * Stops the channel (and, with `logout`, unlinks the phone). Its route stays, so late webhooks
   * still find their conversations, and a Cloud number can be connected again by this tenant.
   * When the provider cannot be reached the channel is still marked STOPPED, with the error.
   */
  async disconnect(ctx: RequestContext, sessionId: string, logout: boolean): Promise<WhatsappSession> {
    const { tenantId } = ctx.tenant();
    const manager = await ctx.tenant().manager();
    await this.find(manager, sessionId);
    let lastError: string | null = null;
    try {
      const { provider } = await this.deps.providers.get(tenantId, sessionId, manager);
      await (logout ? provider.logoutSession() : provider.stopSession());
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      lastError = error.message.slice(0, 1000);
      this.deps.log.warn({ err: error, tenantId, sessionId }, 'the provider did not confirm the disconnect');
    }
    this.deps.providers.forget(tenantId, sessionId);
    return this.update(ctx, sessionId, WhatsappSessionStatus.STOPPED, null, lastError);
  }

  /** Records the channel's new state, and its `whatsapp_session.status_changed`. */
  private update(
    ctx: RequestContext,
    sessionId: string,
    status: WhatsappSessionStatus,
    qrCode: string | null,
    lastError: string | null,
  ): Promise<WhatsappSession> {
    return ctx.tenant().transaction(async ({ manager, record }) => {
      const [rows]: [Array<Record<string, unknown>>, number] = await manager.query(
        `UPDATE whatsapp_sessions SET status = $2, qr_code = $3, last_error = $4, updated_at = now() WHERE id = $1 RETURNING ${SESSION_COLUMNS}`,
        [sessionId, status, qrCode, lastError],
      );
      if (!rows[0]) throw notFound('WhatsApp session');
      const session = camelizeRow<WhatsappSession>(rows[0]);
      record(whatsappSessionStatusChanged(session));
      return session;
    });
  }
}
