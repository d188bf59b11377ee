import { removeHubBuild } from '../support/fault-build';

export default function globalTeardown(): void {
  removeHubBuild();
}
