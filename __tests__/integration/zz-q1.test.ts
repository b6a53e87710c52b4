import { DataSource } from 'loopback-datasource-juggler';
import * as ours from '../../src';
import * as official from 'loopback-connector-mongodb';
it('x', async () => {
  for (const c of [ours, official]) {
    const ds = new DataSource({ connector: c, url: 'mongodb://127.0.0.1:27500/q1tmp?replicaSet=shared' } as never);
    const M: any = (ds as any).define('R', { xidArr: [(c as any).ObjectID] });
    try { await M.find({ where: { xidArr: { all: ['5f1d7a3b9c8e4d2a1b0c3d4e'] } } }); console.log('ok'); } catch (e: any) { console.log(e.stack); }
    console.log(String((c as any).ObjectID), (c as any).ObjectID === official.ObjectID);
    await ds.disconnect();
  }
});
