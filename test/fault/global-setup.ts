import { buildHub } from '../support/fault-build';

export default function globalSetup(): void {
  process.env.FAULT_HUB_BUILD = buildHub();
}
