import { AriHttpError } from '../../src/ari/types';
import { AriRecorder } from '../../src/recordings/ari-recorder';
import { FakeClock } from '../../src/util/clock';
import { FakeAri } from '../calls/fake-ari';

describe('AriRecorder', () => {
  it('a snoop not in our app yet (409 "Channel not in Stasis application") is asked again, briefly', async () => {
    const ari = new FakeAri();
    const clock = new FakeClock(0);
    const dev = await ari.channels.originate({ endpoint: 'PJSIP/1000', app: 'callcenter', channelId: 'dev1' });
    const record = ari.channels.record.bind(ari.channels);
    let refusals = 2;
    ari.channels.record = async (id, p) => {
      if (refusals-- > 0) throw new AriHttpError('POST', `/channels/${id}/record`, 409, '{"message":"Channel not in Stasis application"}');
      return record(id, p);
    };
    const started = new AriRecorder(ari, clock).start({ channelId: dev.id, snoopId: 'ccrec-1', name: 'cc/1', format: 'wav', recordingId: 1 });
    for (let i = 0; i < 2; i++) {
      await new Promise((r) => setImmediate(r));
      clock.advance(50);
    }
    await expect(started).resolves.toBeUndefined();
    expect(refusals).toBe(-1);
  });

  it('other refusals fail at once, and the snoop is hung up', async () => {
    const ari = new FakeAri();
    const dev = await ari.channels.originate({ endpoint: 'PJSIP/1000', app: 'callcenter', channelId: 'dev1' });
    ari.failRecord = true;
    await expect(new AriRecorder(ari, new FakeClock(0)).start({ channelId: dev.id, snoopId: 'ccrec-1', name: 'cc/1', format: 'wav', recordingId: 1 })).rejects.toMatchObject({ status: 500 });
    expect(ari.log).toEqual(expect.arrayContaining([expect.stringMatching(/hangup ccrec-1/)]));
  });
});
