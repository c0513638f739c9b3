import type { RequestContext } from '../../context/request-context';
import { badInput, notFound } from '../../platform/errors';
import { ADMIN_ONLY, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { centresRepository } from '../catalog/centres.sql';
import type { ChannelMatrix } from './partners.model';
import { partnersRepository } from './partners.sql';
import { trafficChannelsRepository } from './traffic-channels.sql';
import { serviceLoader } from '../catalog/catalog.loaders';
import { MAX_LISTED } from './partners.service';

export interface ChannelMatrixInput {
  centreId: string;
  rows: Array<{ serviceId: string; partnerIds: string[] }>;
}

/** Seed 001's traffic channels: an ADMIN reads and edits one centre's matrix at once (rows are services, columns partners). */
export class TrafficChannelsService {
  async matrix(ctx: RequestContext, centreId: string): Promise<ChannelMatrix> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const { partners, rows } = await ctx.transaction(async (tx) => {
      if (!(await centresRepository.exists(tx, centreId))) throw notFound('Centre');
      return { partners: await partnersRepository.list(tx, { limit: MAX_LISTED }), rows: await trafficChannelsRepository.matrixRows(tx, centreId) };
    });
    const services = await serviceLoader(ctx).loadMany(rows.map((row) => row.serviceId));
    return {
      centreId, partners,
      rows: rows.flatMap((row, i) => {
        const service = services[i];
        return service && !(service instanceof Error) ? [{ service, partnerIds: row.partnerIds }] : [];
      }),
    };
  }

  /**
   * The matrix sent becomes the centre's: services left out have no channel there afterwards. It
   * takes effect on the next request; a booking racing it is decided by the row locks of the
   * booking statement (it commits first, or sees the change).
   */
  async replace(ctx: RequestContext, input: ChannelMatrixInput): Promise<ChannelMatrix> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const serviceIds = input.rows.map((row) => row.serviceId);
    if (new Set(serviceIds).size !== serviceIds.length) throw badInput([{ field: 'input.rows', problems: ['each service appears in one row only'] }]);
    const pairs = input.rows.flatMap((row) => [...new Set(row.partnerIds)].map((partnerId) => ({ partnerId, serviceId: row.serviceId })));
    const partnerIds = [...new Set(pairs.map((pair) => pair.partnerId))];
    await ctx.transaction(async (tx) => {
      if (!(await centresRepository.exists(tx, input.centreId))) throw notFound('Centre');
      const known = await trafficChannelsRepository.knownIds(tx, serviceIds, partnerIds);
      if (known.services !== serviceIds.length) throw notFound('Service');
      if (known.partners !== partnerIds.length) throw notFound('Partner');
      const change = await trafficChannelsRepository.replace(tx, input.centreId, pairs);
      await recordAudit(ctx, tx, { action: 'traffic-channels.replaced', entityType: 'Centre', entityId: input.centreId, details: change });
    });
    return this.matrix(ctx, input.centreId);
  }
}
