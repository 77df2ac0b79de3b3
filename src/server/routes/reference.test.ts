import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionHeaders, startTestNode, TEST_PASSWORD, type TestNode } from '../testing.js';

let t: TestNode;
let analyst: { cookie: string; csrf: string };

beforeAll(async () => {
  t = await startTestNode();
  await t.node.identity.createUser({ username: 'analyst', password: TEST_PASSWORD, roles: ['analyst'] });
  analyst = await t.login('analyst');
});
afterAll(async () => {
  await t.close();
});

const get = (url: string, signedIn = true) => t.app.inject({ url, headers: signedIn ? sessionHeaders(analyst) : {} });

describe('GET /api/v1/reference/locations/{code}', () => {
  it('describes a known UN/LOCODE with its coordinates in decimal degrees', async () => {
    const response = await get('/api/v1/reference/locations/NLRTM');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      code: 'NLRTM',
      name: 'Rotterdam',
      alternativeNames: [],
      country: 'NL',
      subdivision: { code: 'ZH', name: 'Zuid-Holland' },
      functions: ['port', 'rail', 'road', 'airport', 'postal'],
      seaPort: true,
      status: 'AF',
      iata: null,
      coordinates: { lat: 51.91667, lon: 4.5 },
      edition: '2024-2',
    });
  });

  it('accepts the code in any case', async () => {
    const response = await get('/api/v1/reference/locations/sgsin');
    expect(response.json()).toMatchObject({ code: 'SGSIN', name: 'Singapore' });
  });

  it('takes coordinates from the sea-ports list when UN/LOCODE has none (Mombasa)', async () => {
    const response = await get('/api/v1/reference/locations/KEMBA');
    expect(response.json()).toMatchObject({ code: 'KEMBA', coordinates: { lat: expect.any(Number) } });
  });

  it('gives null coordinates when no list has them', async () => {
    const response = await get('/api/v1/reference/locations/ADFMO');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ code: 'ADFMO', coordinates: null });
  });

  it('answers an unknown code with 404 REF_LOCATION_UNKNOWN', async () => {
    const response = await get('/api/v1/reference/locations/NLZZZ');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'REF_LOCATION_UNKNOWN' });
  });

  it.each(['NLRT', 'NLRTMX', 'NL-RT', '12RTM'])(
    'refuses the malformed code %j with 400 REQUEST_INVALID',
    async (code) => {
      const response = await get(`/api/v1/reference/locations/${code}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'REQUEST_INVALID' });
    },
  );

  it('asks a visitor to sign in (401 AUTH_REQUIRED)', async () => {
    const response = await get('/api/v1/reference/locations/NLRTM', false);
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
  });
});

describe('GET /api/v1/reference/countries/{code}', () => {
  it('describes a known country with its centroid', async () => {
    const response = await get('/api/v1/reference/countries/NL');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      alpha2: 'NL',
      alpha3: 'NLD',
      numeric: '528',
      name: { en: 'Netherlands', fr: 'Pays-Bas (Royaume des)' },
      commonName: 'Netherlands',
      currencies: ['EUR'],
      centroid: { lat: 52.34, lon: 5.87 },
    });
  });

  it.each(['KEN', 'ken', '404'])('finds Kenya from %j', async (code) => {
    const response = await get(`/api/v1/reference/countries/${code}`);
    expect(response.json()).toMatchObject({ alpha2: 'KE', centroid: { lat: expect.any(Number) } });
  });

  it('gives a null centroid for a territory without coordinates', async () => {
    const response = await get('/api/v1/reference/countries/BV');
    expect(response.json()).toMatchObject({ alpha2: 'BV', centroid: null });
  });

  it('answers an unknown code with 404 REF_COUNTRY_UNKNOWN', async () => {
    const response = await get('/api/v1/reference/countries/XZ');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'REF_COUNTRY_UNKNOWN' });
  });

  it.each(['N', 'NETHERLANDS', 'N1', '5280'])(
    'refuses the malformed code %j with 400 REQUEST_INVALID',
    async (code) => {
      const response = await get(`/api/v1/reference/countries/${code}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'REQUEST_INVALID' });
    },
  );
});
