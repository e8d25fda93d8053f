import { describe, expect, it } from 'vitest';
import { REJECTION_RULES } from '../../shared/domain/evidence';
import type { AttachmentView } from '../../web/src/api';
import { photoFacts, rejectionText } from '../../web/src/evidence';
import { setLang, setTimeZone } from '../../web/src/i18n';

const attachment = (over: Partial<AttachmentView>): AttachmentView => ({
  id: 'A1',
  kind: 'photo',
  contentType: 'image/jpeg',
  size: 1000,
  status: 'rejected',
  requestedAt: '2026-11-30T06:00:00.000Z',
  ...over,
});

describe('evidence as the pages show it', () => {
  it('says every rejection rule in Chinese and in English, never the rule code', () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      setLang(lang);
      for (const rule of REJECTION_RULES) {
        const text = rejectionText(attachment({ rule, reason: 'operator text' }));
        expect(text, `${lang} ${rule}`).not.toBe(rule);
        expect(text, `${lang} ${rule}`).not.toBe('operator text');
        if (lang === 'zh-CN') expect(text).toMatch(/[\u4e00-\u9fff]/);
      }
    }
    setLang('zh-CN');
  });

  it("falls back to the API's reason for a rule the page does not know", () => {
    setLang('zh-CN');
    expect(rejectionText(attachment({ rule: 'new_rule', reason: 'a new check' }))).toBe('a new check');
  });

  it('states when and how far from the case a photo was taken, in district time', () => {
    setLang('zh-CN');
    setTimeZone('Asia/Shanghai');
    const facts = photoFacts(
      attachment({
        status: 'verified',
        facts: { takenAt: '2026-11-30T06:05:00.000Z', distanceMetres: 33.4, takenAfterDispatch: true },
      }),
    );
    expect(facts).toBe('拍摄于 11/30 14:05 · 距案发点 33 米 · 派遣后拍摄');
    expect(photoFacts(attachment({ status: 'verified', facts: {} }))).toBe('无拍摄时间 · 无定位信息');
  });

  it("names the camera of an alert's snapshot, timed by the alert", () => {
    setLang('zh-CN');
    setTimeZone('Asia/Shanghai');
    const still = attachment({
      status: 'verified',
      origin: 'camera',
      camera: { cameraId: 'cam-zjg-03', alertAt: '2026-11-30T06:04:00.000Z', reportId: 'C1' },
      facts: { takenAt: '2026-11-30T06:04:00.000Z', distanceMetres: 0 },
    });
    expect(photoFacts(still)).toBe('摄像头 cam-zjg-03 告警抓拍 · 拍摄于 11/30 14:04 · 距案发点 0 米');
  });
});
