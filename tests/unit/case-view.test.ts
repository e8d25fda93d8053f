import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDistrict } from '../../shared/district/load';
import { type Actor, type Case, type LinkedReport, SYSTEM_ROUTER } from '../../shared/domain/case';
import { indexDistrict } from '../../shared/domain/district-index';
import { newReportedCase } from '../../shared/domain/report';
import { routeReport } from '../../shared/domain/routing';
import { registerReport } from '../../shared/domain/workflow';
import { caseView } from '../../shared/http/case-view';

const sandun = indexDistrict(
  loadDistrict(fileURLToPath(new URL('../../districts/sandun.json', import.meta.url))),
);
const NOW = '2026-12-01T08:00:00.000Z';

const CITIZEN: Actor = { subject: 'citizen-1', role: 'reporter', name: '王女士' };
const NEIGHBOUR: Actor = { subject: 'citizen-2', role: 'reporter', name: '李先生' };
const CENTRE: Actor = { subject: 'cc-1', role: 'command_centre', department: 'command-centre' };
const OTHER_DEPARTMENT: Actor = { subject: 'staff-police', role: 'department_staff', department: 'police' };

/** CITIZEN's report of a missing manhole cover, with NEIGHBOUR's report of the same merged into it. */
const aCaseWithANeighboursReport = (): Case => {
  const reported = newReportedCase(
    {
      source: 'citizen',
      category: 'component.manhole-cover-missing',
      description: '人行道上的井盖不见了',
      location: { lat: 30.28525, lng: 120.0688, crs: 'wgs84' },
      reporter: { name: '王女士', phone: '13812341234' },
    },
    { id: 'C01HZXTESTCASE000000000002', district: sandun, actor: CITIZEN, now: NOW },
  );
  const registered = registerReport(
    reported,
    routeReport(sandun, { category: reported.category, location: reported.location }),
    { actor: SYSTEM_ROUTER, now: NOW },
  );
  const neighbours: LinkedReport = {
    caseId: 'C01HZXTESTCASE000000000003',
    source: 'citizen',
    reportedAt: NOW,
    description: '井盖丢了，请联系我 13900001111',
    reporter: { name: '李先生', phone: '13900001111' },
    submittedBy: NEIGHBOUR,
    mode: 'auto',
    score: 0.93,
    mergedAt: NOW,
  };
  return { ...registered, linkedReports: [neighbours] };
};

describe('a case view’s merged reports', () => {
  it('show a neighbour’s name, phone and account only to those entitled, not to the citizen who reported the case', () => {
    // Prepare
    const c = aCaseWithANeighboursReport();

    // Act
    const own = caseView(c, NOW, CITIZEN);
    const centre = caseView(c, NOW, CENTRE);
    const outsider = caseView(c, NOW, OTHER_DEPARTMENT);
    const neighbour = caseView(c, NOW, NEIGHBOUR);

    // Assess
    expect(own.reporter).toEqual({ name: '王女士', phone: '13812341234' });
    expect(own.linkedReports[0]?.reporter).toEqual({ name: '李**', phone: '139****1111' });
    expect(own.linkedReports[0]?.description).toBe('井盖丢了，请联系我 139****1111');
    expect(own.linkedReports[0]?.submittedBy).toEqual({ subject: 'masked', role: 'reporter', name: '李**' });
    expect(outsider.linkedReports[0]?.reporter).toEqual({ name: '李**', phone: '139****1111' });
    expect(centre.linkedReports[0]).toEqual(c.linkedReports[0]);
    expect(neighbour.linkedReports[0]).toEqual(c.linkedReports[0]);
    expect(neighbour.reporter).toEqual({ name: '王**', phone: '138****1234' });
  });
});
