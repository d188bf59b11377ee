import { UnprocessableEntityException, ValidationPipe } from '@nestjs/common';
import { ReplayOrderQuery } from '../delivery/delivery.dto';

describe('boolean query parameters', () => {
  // The pipe as the app configures it (http-setup.ts).
  const pipe = new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    errorHttpStatusCode: 422,
  });
  const parse = (query: Record<string, unknown>) =>
    pipe.transform(query, {
      type: 'query',
      metatype: ReplayOrderQuery,
    }) as Promise<ReplayOrderQuery>;

  it('take exactly true or false, and default when absent', async () => {
    expect((await parse({ dryRun: 'true' })).dryRun).toBe(true);
    expect((await parse({ dryRun: 'false' })).dryRun).toBe(false);
    expect((await parse({})).dryRun).toBe(false);
  });

  it.each(['maybe', '1', '0', 'yes', 'TRUE', '', ' true', ['true', 'true']])(
    'refuse %p with a 422 naming the parameter',
    async (value) => {
      const refused = await parse({ dryRun: value }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(UnprocessableEntityException);
      expect(JSON.stringify((refused as UnprocessableEntityException).getResponse())).toContain(
        'dryRun must be true or false',
      );
    },
  );
});
