import { describe, expect, it } from 'vitest';
import {
  CLIENT_ID_LENGTH,
  CLIENT_SECRET_LENGTH,
  generateClientId,
  generateClientSecret,
} from '../../../src/integrations/lms-oauth/generated-credentials.js';

describe('generated credentials', () => {
  it('are as long as DOT generates them, from letters and digits, and never repeat', () => {
    const secrets = new Set(Array.from({ length: 200 }, generateClientSecret));
    expect(secrets.size).toBe(200);
    for (const secret of secrets)
      expect(secret).toMatch(new RegExp(`^[A-Za-z0-9]{${CLIENT_SECRET_LENGTH}}$`));
    expect(generateClientId()).toMatch(new RegExp(`^[A-Za-z0-9]{${CLIENT_ID_LENGTH}}$`));
  });

  it('use the whole alphabet', () => {
    const seen = new Set(Array.from({ length: 50 }, generateClientSecret).join(''));
    expect(seen.size).toBe(62);
  });
});
