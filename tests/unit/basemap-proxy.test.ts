import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBasemapProxy } from '../../infra/local/basemap-proxy';
import { createRuntimeLog } from '../../infra/local/log';
import { districtSchemas } from '../../shared/district/schema';

const { BasemapConfig } = districtSchemas();

/**
 * The local twin of the CloudFront tile path: a keyed layer's tile is fetched from the source with
 * the key added, and the page never sees it. Real HTTP on both sides.
 */
describe('the local base map tile path', () => {
  const asked: string[] = [];
  const source = createServer((request, response) => {
    asked.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/png' }).end('tile');
  });
  let front: ReturnType<typeof createServer>;
  let url = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
    const basemap = BasemapConfig.parse({
      crs: 'wgs84',
      layers: [
        {
          id: 'vec',
          url: `http://127.0.0.1:${(source.address() as AddressInfo).port}/vec_w/wmts?LAYER=vec&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}`,
        },
      ],
      attribution: '天地图',
      keyParameter: 'tk',
    });
    const proxy = createBasemapProxy(basemap, createRuntimeLog('ERROR'), 'local-key');
    front = createServer((request, response) => {
      void proxy.handle(request, response).then((handled) => {
        if (!handled) response.writeHead(418).end();
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    source.close();
    front.close();
  });

  it('adds the key to the source request', async () => {
    const response = await fetch(`${url}/basemap/vec/14/13712/6635`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('tile');
    expect(asked).toEqual(['/vec_w/wmts?LAYER=vec&TILEMATRIX=14&TILEROW=6635&TILECOL=13712&tk=local-key']);
  });

  it('answers 404 for anything but a tile of a layer, and leaves other paths alone', async () => {
    expect((await fetch(`${url}/basemap/img/14/1/1`)).status).toBe(404);
    expect((await fetch(`${url}/basemap/vec/99/1/1`)).status).toBe(404);
    expect((await fetch(`${url}/v1/cases`)).status).toBe(418);
  });
});
