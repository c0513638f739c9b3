import type { ShareLinkStatus } from '../../entities';

/** A client centre's link to a sharing centre, as stored (the token only encrypted). */
export interface LinkRow {
  id: string;
  centreId: string;
  remoteUrl: string;
  remoteCentreId: string;
  remoteCentreName: string;
  remoteShareId: string;
  tokenCiphertext: Buffer;
  label: string;
  createdAt: Date;
  status: ShareLinkStatus;
  lastContactAt: Date | null;
  /** The last failure seen, readable; kept after the link recovered (with lastContactAt, it tells when). */
  lastProblem: string | null;
}
