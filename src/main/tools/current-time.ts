import { z } from 'zod';
import type { Tool } from './registry';

const Input = z.object({ timezone: z.string().min(1).max(100).optional() });

export const currentTime: Tool<typeof Input> = {
  name: 'current_time',
  description:
    'Returns the current date and time, in an IANA time zone such as "Europe/Paris" (default UTC).',
  inputSchema: {
    type: 'object',
    properties: { timezone: { type: 'string', description: 'IANA time zone name, e.g. "America/New_York"' } },
  },
  validate: Input,
  run: ({ timezone = 'UTC' }) => {
    let formatted: string;
    try {
      formatted = new Intl.DateTimeFormat('en-GB', {
        timeZone: timezone,
        dateStyle: 'full',
        timeStyle: 'long',
      }).format(new Date());
    } catch {
      throw new Error(`unknown time zone "${timezone}"; use an IANA name such as "Europe/Paris"`);
    }
    return `${formatted} (${timezone}); ISO ${new Date().toISOString()}`;
  },
};
