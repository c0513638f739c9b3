import type { RequestContext } from '../../context/request-context';
import { badInput, notFound } from '../../platform/errors';
import { ADMIN_ONLY, STAFF_READERS, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { toPage, type Page, type PageRequest } from '../common/pagination';
import { changedFields } from './audit-details';
import { keysetAfter } from './catalog-pages';
import { serviceLoader } from './catalog.loaders';
import type { MedicalServiceRow } from './catalog.model';
import { CODE_TAKEN, medicalServicesRepository } from './medical-services.sql';

export interface NewMedicalService {
  code: string;
  name: string;
  durationMinutes: number;
  requiredQualification?: string | null;
}

/** Omitted fields keep their value; requiredQualification is cleared with null. */
export interface MedicalServiceChange {
  id: string;
  code?: string;
  name?: string;
  durationMinutes?: number;
  requiredQualification?: string | null;
}

const codeTaken = () => badInput([{ field: 'input.code', problems: ['another service of this tenant has this code'] }]);

/** Bookable services (examinations): what an appointment is for and how long it takes. */
export class MedicalServicesService {
  async create(ctx: RequestContext, input: NewMedicalService): Promise<MedicalServiceRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      const service = await medicalServicesRepository.insert(tx, { ...input, requiredQualification: input.requiredQualification ?? null });
      if (service === CODE_TAKEN) throw codeTaken();
      await recordAudit(ctx, tx, {
        action: 'service.created', entityType: 'Service', entityId: service.id,
        details: { code: service.code, durationMinutes: service.durationMinutes },
      });
      return service;
    });
  }

  async update(ctx: RequestContext, change: MedicalServiceChange): Promise<MedicalServiceRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const { id, ...fields } = change;
    const service = await ctx.transaction(async (tx) => {
      const updated = await medicalServicesRepository.update(tx, id, fields);
      if (updated === CODE_TAKEN) throw codeTaken();
      if (!updated) throw notFound('Service');
      await recordAudit(ctx, tx, {
        action: 'service.updated', entityType: 'Service', entityId: id,
        details: { changed: changedFields(fields), code: updated.code, durationMinutes: updated.durationMinutes },
      });
      return updated;
    });
    serviceLoader(ctx).clear(id).prime(id, service);
    return service;
  }

  async services(ctx: RequestContext, page: PageRequest): Promise<Page<MedicalServiceRow>> {
    requireStaffRole(ctx, STAFF_READERS);
    const after = keysetAfter(page.after);
    const rows = await ctx.transaction((tx) => medicalServicesRepository.list(tx, { limit: page.first + 1, after }));
    return toPage(rows, page.first, (row) => [row.code, row.id]);
  }
}
