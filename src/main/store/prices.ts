// The person's own prices: prices.json in the data directory, over the shipped table
// (shared/prices.json). Read again whenever settings are read, so a fix takes effect without a
// restart; a file that is not valid is left as it is, the shipped prices stay in force, and the
// sentence says what to fix.
import { join } from 'node:path';
import { issuesOf } from '../../shared/errors';
import { mergePrices, SHIPPED_PRICES, type PriceTableView } from '../../shared/cost';
import { PriceFileSchema } from '../../shared/price-schema';
import { readJson } from './atomic';

export class PriceStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'prices.json');
  }

  async view(): Promise<PriceTableView> {
    const shipped = { entries: SHIPPED_PRICES, file: this.path };
    const unused = (why: string) =>
      `Your prices in ${this.path} are not used: ${why}. The shipped prices are in use; the file was left as it is. Fix it; it is read again each time Sluice loads its settings (a reload of the window, the next command).`;
    const read = await readJson(this.path);
    if (!read.ok) return { ...shipped, problem: read.missing ? null : unused(read.error) };
    const parsed = PriceFileSchema.safeParse(read.value);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error, '(file)').map((i) => `${i.path}: ${i.message}`);
      return { ...shipped, problem: unused(issues.join('; ')) };
    }
    return { ...shipped, entries: mergePrices(SHIPPED_PRICES, parsed.data.models), problem: null };
  }
}
