/**
 * Every piece of UI text, in Simplified Chinese (the default) and English, and the zh-CN/en
 * formats for numbers, dates and durations. Names from the district file (zones, departments,
 * categories) carry both languages themselves; `localName` picks one.
 */

const zh = {
  appTitle: '数字驾驶舱',
  fieldTitle: '外勤任务',
  signInTitle: '选择演示账号登录',
  signInHint: '本地环境：从本地身份服务选择一个演示用户。正式环境由区县统一身份认证（OIDC）登录。',
  signInOidc: '通过区县统一身份认证登录',
  signInOidcTitle: '统一身份认证登录',
  signInOidcHint: '使用区县统一身份认证账号登录，登录后返回本页面。',
  signInFailed: '登录失败：{detail}',
  signInWrongRole: '当前账号（{role}）无权使用本页面，请退出后换用其他账号登录。',
  signOut: '退出',
  language: 'English',
  loading: '加载中…',
  live: '实时',
  updatedAgo: '{s} 秒前更新',
  offline: '连接中断，正在重试…',
  noData: '暂无',
  placeholder: '—',
  pendingFeature: '待接入',
  systemActor: '智能分拨',
  systemEvidence: '证据核验',

  kpiToday: '今日上报',
  kpiOpen: '在办案件',
  kpiOverdue: '超期案件',
  kpiDispatched: '已派遣在办',
  kpiClosedToday: '今日结案',
  kpiOnTime: '按期结案率',
  kpiMerged: '重复合并',
  kpiJoint: '联合查办',
  kpiOnTimeHint: '按期结案数 / 应结案数：处置时限在今日的案件中，已结案且在时限内处置完毕的比例',

  mapTitle: '网格案件分布',
  basemapMissing: '本区未配置底图：显示网格示意图',
  legendUrgent: '紧急',
  legendHigh: '高',
  legendNormal: '一般',
  legendLow: '低',
  legendOverdue: '超期',
  legendHotspot: '本月高发点',
  zoneOpen: '在办 {n}',
  hotspotTooltip: '本月高发网格 · 上报 {n} 起',

  deptTitle: '部门办理情况',
  deptName: '部门',
  deptOpen: '在办',
  deptOverdue: '超期',
  deptReturned: '今日退回',
  deptOnTime: '按期结案率',
  deptTodayHint: '今日，分析研判口径',
  deptChartTitle: '部门在办与超期',
  statusChartTitle: '案件状态分布',
  hourlyChartTitle: '今日分时上报',

  evalTitle: '分析研判',
  evalPeriod: '本月 {from} 至 {to}',
  evalUpdated: '{time} 更新',
  'evalGroup.volume': '案件数量',
  'evalGroup.standard': '标准评价指标',
  'evalGroup.coordination': '协同指标',
  'evalGroup.satisfaction': '群众满意度',
  evalByDepartment: '分部门（本月）',
  evalDepartment: '部门',
  evalNoDepartment: '未分派',
  evalHotspots: '高发网格',
  evalRepeatPremises: '重复上报场所',
  evalCellItem: '{zone} · {cell}',
  evalOutsideZones: '辖区外',
  evalReports: '{n} 起',
  evalCases: '{n} 件',
  evalNone: '暂无',
  evalExportCsv: '案件清单 CSV',
  evalExportXlsx: '案件清单 Excel',
  evalExportMonthly: '月度考评表',
  evalExporting: '正在导出…',
  evalExported: '已导出 {name}',
  evalExportLink: '导出共 {rows} 行，已在新窗口打开下载链接',
  evalExportQueued: '导出任务排队中…',
  evalExportReading: '正在读取案件：已读 {rows} 行',
  evalExportWriting: '正在生成文件：共 {rows} 行',
  evalExportRows: '（{rows} 行）',
  evalExportSaveAgain: '再次下载',
  evalExportFailed: '导出失败：{detail}',

  queueTriage: '待分类（分拨）',
  queueDispatch: '待派遣',
  queueOverdue: '超期督办',
  queueDuplicates: '疑似重复',
  queueEmpty: '无',
  queueDuplicatesPending: '重复事件合并功能待接入',

  panelClose: '关闭',
  caseDetails: '案件信息',
  caseCategory: '类别',
  caseTriage: '待分类',
  casePriority: '优先级',
  caseStatus: '状态',
  caseSource: '来源',
  caseZone: '网格',
  caseAreaChief: '区域长',
  caseLead: '牵头部门',
  caseCooperating: '协办部门',
  caseAssignee: '承办部门',
  caseAddress: '地址',
  caseRepeatOf: '结案后重复投诉',
  caseRepeatOfText: '重复 {id}（{at} 结案）',
  caseRepeatedBy: '结案后再次上报',
  caseReportedAt: '上报时间',
  caseDue: '当前时限',
  caseOverdue: '已超期',
  caseReporter: '反映人',
  caseMasked: '个人信息已脱敏',
  caseTimeline: '办理过程',
  casePosition: '位置',
  casePhotos: '现场照片',
  casePhotosNone: '暂无已核验的现场照片',
  photoPick: '拍照/选择照片',
  photoHashing: '正在计算校验值…',
  photoRequesting: '正在申请上传…',
  photoUploading: '正在上传照片…',
  photoRetrying: '网络不稳定，正在重试…',
  photoChecking: '照片已上传，正在核验…',
  photoFailed: '照片上传失败：{detail}',
  photoNone: '暂无照片',
  photoWhenAccepted: '签收后可上传现场照片',
  photoPending: '核验中',
  photoVerified: '已核验',
  photoRejected: '未通过核验',
  photoTakenAt: '拍摄于 {time}',
  photoFromCamera: '摄像头 {camera} 告警抓拍',
  photoNoTime: '无拍摄时间',
  photoDistance: '距案发点 {m} 米',
  photoNoGps: '无定位信息',
  photoAfterDispatch: '派遣后拍摄',
  photoOriginal: '查看原图',
  'evidenceRule.zero_bytes': '文件为空',
  'evidenceRule.too_large': '文件超过大小限制',
  'evidenceRule.form_expired': '上传表单已过期，请重新上传',
  'evidenceRule.content_type_mismatch': '文件内容与声明的类型不符',
  'evidenceRule.truncated_image': '图片不完整（上传中断），请重新上传',
  'evidenceRule.undecodable_image': '图片无法解码',
  'evidenceRule.sha256_mismatch': '文件校验值不符，请重新上传',
  'evidenceRule.taken_in_future': '拍摄时间晚于当前时间，请检查手机时间',
  'evidenceRule.too_far_from_case': '拍摄地点距案发点过远',
  'evidenceRule.taken_long_before_report': '告警时间远早于上报时间，不能作为现场证据',
  'evidenceRule.snapshot_unavailable': '未能取得摄像头抓拍图片',
  'evidenceRule.unknown_attachment': '未申请登记的上传，请重新上传',
  'action.evidence-verified': '现场照片核验通过',
  'action.evidence-rejected': '现场照片未通过核验',
  camerasNearby: '附近监控',
  camerasNone: '附近 500 米内没有摄像头',
  cameraPlay: '播放',
  cameraPlaying: '正在播放：{name}',
  cameraUnsupported: '此浏览器无法播放 HLS 视频',
  cameraOnline: '在线',
  cameraOffline: '离线',
  cameraMaintenance: '维护中',
  cameraLegend: '摄像头',
  caseCounters: '退回 {returns} · 转派 {reassigns} · 返工 {reworks}',
  caseActions: '操作',
  caseNoActions: '当前角色在此状态下无可用操作',
  caseVersion: '版本',
  reason: '原因',
  note: '说明',
  result: '处置结果',
  department: '派往部门',
  category: '事件类别',
  categorySearch: '搜索类别（名称、关键词）',
  categoryGroupComponent: '部件',
  categoryGroupEvent: '事件',
  verifyPassed: '核查通过',
  verifyFailed: '核查不通过（返工）',
  submit: '提交',
  cancel: '取消',
  commandDone: '已{action}',
  conflict: '案件已被他人更新，已刷新，请重新操作。',
  forbidden: '无权执行此操作。',
  failed: '操作失败：{detail}',
  retrying: '网络不稳定，正在重试…',

  fieldMyTasks: '我的任务',
  fieldNoTasks: '暂无待办任务',
  fieldBack: '返回',
  fieldDueIn: '剩余 {d}',
  fieldOverdueBy: '超期 {d}',
  fieldProgressPlaceholder: '现场情况、处置进展',
  fieldResultPlaceholder: '处置结果，如：已清理完毕',
  fieldReasonPlaceholder: '退回原因，如：不属于本部门职责',
  fieldNavigate: '导航',
  fieldNavigateHint: '在地图应用中打开案发位置',
  fieldMetres: '{n} 米',
  fieldKilometres: '{n} 公里',
  fieldSortByDistance: '按距离排序',
  fieldLocate: '显示与我的距离',
  fieldLocating: '正在定位…',
  fieldLocationDenied: '未获定位授权，不显示距离',
  fieldLocationUnavailable: '暂时无法定位，不显示距离',

  'status.reported': '已上报',
  'status.registered': '已立案',
  'status.dispatched': '待签收',
  'status.accepted': '处置中',
  'status.handled': '待核查',
  'status.verified': '待结案',
  'status.closed': '已结案',
  'status.cancelled': '已作废',
  'status.merged': '已合并',

  'action.reported': '上报',
  'action.registered': '立案',
  'action.dispatched': '派遣',
  'action.reassigned': '转派',
  'action.accepted': '签收',
  'action.returned': '退回',
  'action.progress': '进展反馈',
  'action.resolved': '处置反馈',
  'action.verified': '核查通过',
  'action.rework': '核查不通过，返工',
  'action.closed': '结案',
  'action.reopened': '重新办理',
  'action.cancelled': '作废',
  'action.merged': '合并至其他案件',
  'action.unmerged': '取消合并',
  'action.report-linked': '并入重复上报',
  'action.report-unlinked': '移出重复上报',
  'action.duplicate-flagged': '疑似重复',
  'action.duplicate-dismissed': '排除重复',
  'action.repeat-reported': '结案后再次上报',
  'action.joint-visit': '纳入联合查办',
  'action.escalated': '督办升级',
  'action.satisfaction-recorded': '回访评价',
  'rating.satisfied': '满意',
  'rating.basically_satisfied': '基本满意',
  'rating.dissatisfied': '不满意',
  'verdictChannel.citizen': '市民自评',
  'verdictChannel.hotline': '12345回访',
  'verdictChannel.department': '部门回访',
  'verdictChannel.operator': '坐席回访',

  'command.dispatch': '派遣',
  'command.reassign': '转派',
  'command.accept': '签收',
  'command.return': '退回',
  'command.progress': '反馈进展',
  'command.resolve': '办结反馈',
  'command.verify': '核查',
  'command.close': '结案',
  'command.reopen': '重新办理',
  'command.cancel': '作废',

  'priority.urgent': '紧急',
  'priority.high': '高',
  'priority.normal': '一般',
  'priority.low': '低',

  'role.reporter': '市民',
  'role.field_worker': '外勤人员',
  'role.department_staff': '部门工作人员',
  'role.area_chief': '区域长',
  'role.command_centre': '指挥中心',
  'role.admin': '系统管理员',
  'role.system': '系统',

  'source.hotline': '12345 热线',
  'source.patrol': '巡查上报',
  'source.citizen': '市民上报',
  'source.camera': '视频监控',
  'source.department': '部门推送',
  'source.open311': 'Open311',

  triageSuggestions: '智能分类建议',
  triageScore: '置信度 {score}',
  triageLeadBy: '牵头：{department}',
  triageConfirm: '确认并派遣',
  triagePick: '改选此类',
  triageOther: '其他类别',
  triageOtherSubmit: '按此类别派遣',
  triageNoSuggestion: '无把握建议，请人工选择类别',
  triageBest: '建议：{category} {score}',
  triageDone: '已按“{category}”分类并派遣',
  triageAutoCategorized: '已自动分类',
  'categorisation.auto-categorized': '自动分类（置信度 {score}）',
  'categorisation.suggested': '分类建议待指挥中心确认',
  'categorisation.no-confident-suggestion': '无把握分类建议',
  'categorisation.confirmed': '确认分类建议（置信度 {score}）',
  'categorisation.corrected': '更正分类：原建议 {suggested}（置信度 {score}）',
  'categorisation.categorised': '人工分类（无建议）',
  patrolNew: '巡查上报',
  patrolTitle: '巡查上报',
  patrolDescription: '情况描述',
  patrolDescriptionPlaceholder: '如：消防通道被杂物堵塞',
  patrolCategory: '案件类别',
  patrolCategoryChoose: '请选择类别',
  patrolSuggestions: '建议类别',
  patrolPlace: '位置',
  patrolAddress: '地址（选填）',
  patrolLocate: '获取当前位置',
  patrolAccuracy: 'GPS 定位 · 精度 ±{m} 米',
  patrolAccuracyPoor: '定位精度较差，请在地图上拖动标记到准确位置',
  patrolPinManual: '已在地图上手动标注',
  patrolPinHint: '点击地图或拖动标记可修正位置',
  patrolPhotos: '现场照片',
  patrolAddPhoto: '拍照/添加照片',
  patrolRemovePhoto: '移除',
  patrolSubmit: '提交上报',
  patrolQueued: '已保存在本机，联网后自动发送',
  patrolSent: '上报成功，案件编号 {id}',
  patrolMissing: '请填写描述、选择类别并标注位置',
  offlineBanner: '当前无网络：操作先保存在本机，恢复网络后按顺序自动发送',
  commandQueued: '「{action}」已保存在本机，联网后自动提交',
  outboxTitle: '待发送',
  outboxCommandKept: '本案件有待发送的操作，发送后可继续办理',
  outboxReport: '上报',
  outboxPhoto: '照片',
  outboxWaiting: '等待网络',
  outboxSending: '发送中',
  outboxConflict: '冲突：案件已被他人更新',
  outboxFailed: '未被接受',
  outboxApplyAgain: '按最新状态重新提交',
  outboxRetry: '重试',
  outboxOpenCase: '查看案件',
  outboxDiscard: '放弃',
  outboxOfflineHint: '无网络，恢复后按顺序自动发送',
  outboxOnlineHint: '正在按顺序发送',
  citizenTitle: '随手拍',
  citizenTabReport: '我要上报',
  citizenTabMine: '我的上报',
  citizenDescription: '问题描述',
  citizenDescriptionPlaceholder: '如：人行道井盖缺失，有安全隐患',
  citizenPhoto: '现场照片',
  citizenAddPhoto: '拍照/选择照片',
  citizenPlace: '问题位置',
  citizenUseMyPosition: '使用我的位置',
  citizenPinHint: '点击地图标注问题位置，可拖动标记调整',
  citizenSubmit: '提交',
  citizenSent: '已提交，感谢您的反映！可在“我的上报”查看办理进度',
  citizenMissing: '请填写问题描述并在地图上标注位置',
  citizenNone: '您还没有上报记录',
  citizenDepartment: '承办部门',
  citizenPendingDepartment: '待分派',
  citizenResult: '办理结果',
  citizenMerged: '已与其他相同反映合并处理',
  citizenVerdictTitle: '您对办理结果满意吗？',
  citizenComment: '补充意见（选填）',
  citizenVerdictSubmit: '提交评价',
  citizenVerdictDone: '感谢您的评价',
  citizenVerdictGiven: '您的评价：{rating}',
  citizenReportedAt: '上报时间',
  citizenCategoryPending: '待分类',
  citizenPrivacy: '您的姓名、电话仅承办人员可见',
  'citizenStatus.reported': '已受理',
  'citizenStatus.registered': '已受理',
  'citizenStatus.dispatched': '处理中',
  'citizenStatus.accepted': '处理中',
  'citizenStatus.handled': '已处置，待核查',
  'citizenStatus.verified': '已处置，待核查',
  'citizenStatus.closed': '已办结',
  'citizenStatus.cancelled': '已撤销',
  'citizenStatus.merged': '合并处理',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appTitle: 'Digital Cockpit',
  fieldTitle: 'Field tasks',
  signInTitle: 'Sign in as a demo user',
  signInHint:
    "Local cloud: pick a demo user from the local identity service. On AWS you sign in with the district's identity provider (OIDC).",
  signInOidc: "Sign in with the district's identity provider",
  signInOidcTitle: 'Sign in',
  signInOidcHint: 'Sign in with your district account; you come back to this page afterwards.',
  signInFailed: 'Sign-in failed: {detail}',
  signInWrongRole: 'This account ({role}) cannot use this page: sign out and sign in with another account.',
  signOut: 'Sign out',
  language: '中文',
  loading: 'Loading…',
  live: 'Live',
  updatedAgo: 'updated {s} s ago',
  offline: 'Connection lost, retrying…',
  noData: 'None',
  placeholder: '—',
  pendingFeature: 'not yet available',
  systemActor: 'automatic routing',
  systemEvidence: 'evidence check',

  kpiToday: 'Reported today',
  kpiOpen: 'Open cases',
  kpiOverdue: 'Overdue',
  kpiDispatched: 'With departments',
  kpiClosedToday: 'Closed today',
  kpiOnTime: 'On-time closure rate',
  kpiMerged: 'Duplicates merged',
  kpiJoint: 'Joint visits',
  kpiOnTimeHint:
    'Closed on time / due to close: of the cases whose handling deadline is today, the share closed and handled by it',

  mapTitle: 'Cases by grid zone',
  basemapMissing: 'No base map configured for this district: a schematic of the zones',
  legendUrgent: 'Urgent',
  legendHigh: 'High',
  legendNormal: 'Normal',
  legendLow: 'Low',
  legendOverdue: 'Overdue',
  legendHotspot: 'Hotspots this month',
  zoneOpen: '{n} open',
  hotspotTooltip: 'Hotspot this month · {n} reports',

  deptTitle: 'Departments',
  deptName: 'Department',
  deptOpen: 'Open',
  deptOverdue: 'Overdue',
  deptReturned: 'Returned today',
  deptOnTime: 'On-time closure',
  deptTodayHint: 'today, as the evaluation counts it',
  deptChartTitle: 'Open and overdue by department',
  statusChartTitle: 'Open cases by status',
  hourlyChartTitle: 'Reports today by hour',

  evalTitle: 'Evaluation',
  evalPeriod: 'This month, {from} to {to}',
  evalUpdated: 'updated {time}',
  'evalGroup.volume': 'Volumes',
  'evalGroup.standard': 'Standard rates',
  'evalGroup.coordination': 'Coordination',
  'evalGroup.satisfaction': "Reporters' verdict",
  evalByDepartment: 'By department (this month)',
  evalDepartment: 'Department',
  evalNoDepartment: 'Not assigned',
  evalHotspots: 'Hotspot cells',
  evalRepeatPremises: 'Repeat premises',
  evalCellItem: '{zone} · {cell}',
  evalOutsideZones: 'outside the zones',
  evalReports: '{n} reports',
  evalCases: '{n} cases',
  evalNone: 'None',
  evalExportCsv: 'Cases CSV',
  evalExportXlsx: 'Cases Excel',
  evalExportMonthly: 'Monthly workbook',
  evalExporting: 'Exporting…',
  evalExported: 'Saved {name}',
  evalExportLink: '{rows} rows: the download link opened',
  evalExportQueued: 'Export queued…',
  evalExportReading: 'Reading cases: {rows} rows so far',
  evalExportWriting: 'Writing the file: {rows} rows',
  evalExportRows: ' ({rows} rows)',
  evalExportSaveAgain: 'Download again',
  evalExportFailed: 'Export failed: {detail}',

  queueTriage: 'Triage (no category)',
  queueDispatch: 'Awaiting dispatch',
  queueOverdue: 'Overdue / escalated',
  queueDuplicates: 'Possible duplicates',
  queueEmpty: 'None',
  queueDuplicatesPending: 'Duplicate merging is not available yet',

  panelClose: 'Close',
  caseDetails: 'Case',
  caseCategory: 'Category',
  caseTriage: 'Triage',
  casePriority: 'Priority',
  caseStatus: 'Status',
  caseSource: 'Source',
  caseZone: 'Grid zone',
  caseAreaChief: 'Area chief',
  caseLead: 'Lead department',
  caseCooperating: 'Co-operating',
  caseAssignee: 'Assigned to',
  caseAddress: 'Address',
  caseRepeatOf: 'Repeat after closure',
  caseRepeatOfText: 'repeats {id} (closed {at})',
  caseRepeatedBy: 'Reported again after closure',
  caseReportedAt: 'Reported',
  caseDue: 'Current deadline',
  caseOverdue: 'Overdue',
  caseReporter: 'Reporter',
  caseMasked: 'personal data masked',
  caseTimeline: 'Timeline',
  casePosition: 'Position',
  casePhotos: 'Photos',
  casePhotosNone: 'No verified photos yet',
  photoPick: 'Take or choose a photo',
  photoHashing: 'Computing the checksum…',
  photoRequesting: 'Requesting an upload form…',
  photoUploading: 'Uploading the photo…',
  photoRetrying: 'Weak network, retrying…',
  photoChecking: 'Uploaded, being checked…',
  photoFailed: 'Upload failed: {detail}',
  photoNone: 'No photos yet',
  photoWhenAccepted: 'Accept the task to upload photos',
  photoPending: 'Being checked',
  photoVerified: 'Verified',
  photoRejected: 'Rejected',
  photoTakenAt: 'Taken {time}',
  photoFromCamera: 'Alert snapshot of camera {camera}',
  photoNoTime: 'No time taken',
  photoDistance: '{m} m from the case',
  photoNoGps: 'No location',
  photoAfterDispatch: 'taken after dispatch',
  photoOriginal: 'Open the original',
  'evidenceRule.zero_bytes': 'The file is empty',
  'evidenceRule.too_large': 'The file is too large',
  'evidenceRule.form_expired': 'The upload form expired, please upload again',
  'evidenceRule.content_type_mismatch': 'The content is not the declared type',
  'evidenceRule.truncated_image': 'The image is incomplete (upload cut off), please upload again',
  'evidenceRule.undecodable_image': 'The image cannot be decoded',
  'evidenceRule.sha256_mismatch': 'The checksum does not match, please upload again',
  'evidenceRule.taken_in_future': 'Taken in the future: check the phone clock',
  'evidenceRule.too_far_from_case': 'Taken too far from the case',
  'evidenceRule.taken_long_before_report': 'The alert is much older than its report: not evidence of now',
  'evidenceRule.snapshot_unavailable': "The camera's snapshot could not be obtained",
  'evidenceRule.unknown_attachment': 'Uploaded without a request, please upload again',
  'action.evidence-verified': 'Evidence verified',
  'action.evidence-rejected': 'Evidence rejected',
  camerasNearby: 'Nearby cameras',
  camerasNone: 'No camera within 500 m',
  cameraPlay: 'Play',
  cameraPlaying: 'Playing: {name}',
  cameraUnsupported: 'This browser cannot play HLS video',
  cameraOnline: 'online',
  cameraOffline: 'offline',
  cameraMaintenance: 'maintenance',
  cameraLegend: 'Camera',
  caseCounters: 'returned {returns} · reassigned {reassigns} · rework {reworks}',
  caseActions: 'Actions',
  caseNoActions: 'No action for your role in this status',
  caseVersion: 'version',
  reason: 'Reason',
  note: 'Note',
  result: 'Result',
  department: 'Department',
  category: 'Category',
  categorySearch: 'Search categories (name, keyword)',
  categoryGroupComponent: 'Component',
  categoryGroupEvent: 'Event',
  verifyPassed: 'Verified',
  verifyFailed: 'Failed (rework)',
  submit: 'Submit',
  cancel: 'Cancel',
  commandDone: '{action}: done',
  conflict: 'Someone else updated the case; it was reloaded, please try again.',
  forbidden: 'You may not do this.',
  failed: 'Failed: {detail}',
  retrying: 'Unstable network, retrying…',

  fieldMyTasks: 'My tasks',
  fieldNoTasks: 'No tasks',
  fieldBack: 'Back',
  fieldDueIn: '{d} left',
  fieldOverdueBy: 'overdue by {d}',
  fieldProgressPlaceholder: 'What you found, what was done',
  fieldResultPlaceholder: 'The result, e.g. cleared',
  fieldReasonPlaceholder: 'Why it is not ours',
  fieldNavigate: 'Navigate',
  fieldNavigateHint: 'Open the case’s place in a map app',
  fieldMetres: '{n} m',
  fieldKilometres: '{n} km',
  fieldSortByDistance: 'Nearest first',
  fieldLocate: 'Show distances',
  fieldLocating: 'Locating…',
  fieldLocationDenied: 'No location permission: distances not shown',
  fieldLocationUnavailable: 'No location fix yet: distances not shown',

  'status.reported': 'Reported',
  'status.registered': 'Registered',
  'status.dispatched': 'Dispatched',
  'status.accepted': 'Accepted',
  'status.handled': 'Handled',
  'status.verified': 'Verified',
  'status.closed': 'Closed',
  'status.cancelled': 'Cancelled',
  'status.merged': 'Merged',

  'action.reported': 'Reported',
  'action.registered': 'Registered',
  'action.dispatched': 'Dispatched',
  'action.reassigned': 'Reassigned',
  'action.accepted': 'Accepted',
  'action.returned': 'Returned',
  'action.progress': 'Progress',
  'action.resolved': 'Resolved',
  'action.verified': 'Verified',
  'action.rework': 'Verification failed, rework',
  'action.closed': 'Closed',
  'action.reopened': 'Reopened',
  'action.cancelled': 'Cancelled',
  'action.merged': 'Merged into another case',
  'action.unmerged': 'Unmerged',
  'action.report-linked': 'Duplicate report merged in',
  'action.report-unlinked': 'Duplicate report taken out',
  'action.duplicate-flagged': 'Possible duplicate',
  'action.repeat-reported': 'Reported again after closure',
  'action.duplicate-dismissed': 'Not a duplicate',
  'action.joint-visit': 'Joined a joint visit',
  'action.escalated': 'Escalated',
  'action.satisfaction-recorded': "Reporter's verdict",
  'rating.satisfied': 'Satisfied',
  'rating.basically_satisfied': 'Basically satisfied',
  'rating.dissatisfied': 'Dissatisfied',
  'verdictChannel.citizen': 'by the reporter',
  'verdictChannel.hotline': '12345 callback',
  'verdictChannel.department': 'department callback',
  'verdictChannel.operator': 'operator callback',

  'command.dispatch': 'Dispatch',
  'command.reassign': 'Reassign',
  'command.accept': 'Accept',
  'command.return': 'Return',
  'command.progress': 'Report progress',
  'command.resolve': 'Resolve',
  'command.verify': 'Verify',
  'command.close': 'Close',
  'command.reopen': 'Reopen',
  'command.cancel': 'Cancel case',

  'priority.urgent': 'Urgent',
  'priority.high': 'High',
  'priority.normal': 'Normal',
  'priority.low': 'Low',

  'role.reporter': 'Citizen',
  'role.field_worker': 'Field worker',
  'role.department_staff': 'Department staff',
  'role.area_chief': 'Area chief',
  'role.command_centre': 'Command centre',
  'role.admin': 'Administrator',
  'role.system': 'System',

  'source.hotline': '12345 hotline',
  'source.patrol': 'Patrol',
  'source.citizen': 'Citizen',
  'source.camera': 'Camera',
  'source.department': 'Department system',
  'source.open311': 'Open311',

  triageSuggestions: 'Suggested categories',
  triageScore: 'confidence {score}',
  triageLeadBy: 'lead: {department}',
  triageConfirm: 'Confirm and dispatch',
  triagePick: 'Pick this',
  triageOther: 'Another category',
  triageOtherSubmit: 'Dispatch as this category',
  triageNoSuggestion: 'No confident suggestion: choose the category',
  triageBest: 'Suggested: {category} {score}',
  triageDone: 'Categorised as “{category}” and dispatched',
  triageAutoCategorized: 'Auto-categorized',
  'categorisation.auto-categorized': 'Auto-categorized (confidence {score})',
  'categorisation.suggested': 'Suggestions waiting for the command centre',
  'categorisation.no-confident-suggestion': 'No confident suggestion',
  'categorisation.confirmed': 'Suggestion confirmed (confidence {score})',
  'categorisation.corrected': 'Category corrected: suggested {suggested} (confidence {score})',
  'categorisation.categorised': 'Categorised by hand (no suggestion)',
  patrolNew: 'New report',
  patrolTitle: 'Patrol report',
  patrolDescription: 'What you found',
  patrolDescriptionPlaceholder: 'e.g. fire lane blocked by goods',
  patrolCategory: 'Category',
  patrolCategoryChoose: 'Choose a category',
  patrolSuggestions: 'Suggested',
  patrolPlace: 'Place',
  patrolAddress: 'Address (optional)',
  patrolLocate: 'Use my position',
  patrolAccuracy: 'GPS · accuracy ±{m} m',
  patrolAccuracyPoor: 'The fix is poor: drag the pin to the right place',
  patrolPinManual: 'Placed by hand on the map',
  patrolPinHint: 'Tap the map or drag the pin to correct it',
  patrolPhotos: 'Site photos',
  patrolAddPhoto: 'Take or add a photo',
  patrolRemovePhoto: 'Remove',
  patrolSubmit: 'Send report',
  patrolQueued: 'Saved on the phone; sent when the connection returns',
  patrolSent: 'Reported: case {id}',
  patrolMissing: 'Describe it, choose a category and place the pin',
  offlineBanner: 'No connection: what you do is kept on the phone and sent in order when it returns',
  commandQueued: '“{action}” is kept on the phone and sent when the connection returns',
  outboxTitle: 'Waiting to send',
  outboxCommandKept: 'A command for this case waits to be sent; act again once it has gone',
  outboxReport: 'Report',
  outboxPhoto: 'Photo',
  outboxWaiting: 'Waiting for network',
  outboxSending: 'Sending',
  outboxConflict: 'Conflict: the case has changed',
  outboxFailed: 'Refused',
  outboxApplyAgain: 'Apply to the current case',
  outboxRetry: 'Retry',
  outboxOpenCase: 'Open the case',
  outboxDiscard: 'Discard',
  outboxOfflineHint: 'Offline: sent in order when the connection returns',
  outboxOnlineHint: 'Sending in order',
  citizenTitle: 'Report a problem',
  citizenTabReport: 'Report',
  citizenTabMine: 'My reports',
  citizenDescription: 'What is wrong',
  citizenDescriptionPlaceholder: 'e.g. a manhole cover is missing on the pavement',
  citizenPhoto: 'Photo',
  citizenAddPhoto: 'Take or choose a photo',
  citizenPlace: 'Where',
  citizenUseMyPosition: 'Use my position',
  citizenPinHint: 'Tap the map to place the problem; drag the pin to adjust',
  citizenSubmit: 'Send',
  citizenSent: 'Sent, thank you! Follow it under “My reports”',
  citizenMissing: 'Describe the problem and place it on the map',
  citizenNone: 'No reports yet',
  citizenDepartment: 'Handled by',
  citizenPendingDepartment: 'Not yet assigned',
  citizenResult: 'Result',
  citizenMerged: 'Handled together with the same report from others',
  citizenVerdictTitle: 'Are you satisfied with the result?',
  citizenComment: 'Comment (optional)',
  citizenVerdictSubmit: 'Send',
  citizenVerdictDone: 'Thank you for your verdict',
  citizenVerdictGiven: 'Your verdict: {rating}',
  citizenReportedAt: 'Reported',
  citizenCategoryPending: 'Being categorised',
  citizenPrivacy: 'Only the staff handling it see your name and phone',
  'citizenStatus.reported': 'Received',
  'citizenStatus.registered': 'Received',
  'citizenStatus.dispatched': 'Being handled',
  'citizenStatus.accepted': 'Being handled',
  'citizenStatus.handled': 'Handled, being checked',
  'citizenStatus.verified': 'Handled, being checked',
  'citizenStatus.closed': 'Closed',
  'citizenStatus.cancelled': 'Cancelled',
  'citizenStatus.merged': 'Merged',
};

export type Lang = 'zh-CN' | 'en';
export const LANGS: readonly Lang[] = ['zh-CN', 'en'];
const TABLES: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zh, en };
const STORAGE_KEY = 'xietong.lang';

/** The page's storage and root element, typed loosely so the table also loads in Node (unit tests). */
const page = globalThis as {
  localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  document?: { documentElement: { lang: string } };
};

const stored = (): Lang | undefined => {
  try {
    const value = page.localStorage?.getItem(STORAGE_KEY);
    return value === 'en' || value === 'zh-CN' ? value : undefined;
  } catch {
    return undefined;
  }
};

let current: Lang = stored() ?? 'zh-CN';
let timeZone = 'Asia/Shanghai';

export const lang = (): Lang => current;

export const setLang = (next: Lang): void => {
  current = next;
  try {
    page.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  if (page.document) page.document.documentElement.lang = next;
};

/** The district's time zone: every date on screen is in district time, wherever the browser is. */
export const setTimeZone = (zone: string): void => {
  timeZone = zone;
};

export const t = (key: MessageKey, vars: Record<string, string | number> = {}): string =>
  TABLES[current][key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));

/** A message for a key built from data (a status, a role), falling back to the raw value. */
export const tOf = (
  prefix:
    | 'status'
    | 'action'
    | 'command'
    | 'priority'
    | 'role'
    | 'source'
    | 'evidenceRule'
    | 'citizenStatus'
    | 'rating',
  value: string,
) => {
  const key = `${prefix}.${value}` as MessageKey;
  return key in zh ? t(key) : value;
};

export interface LocalizedName {
  zh: string;
  en: string;
}

export const localName = (name: LocalizedName | undefined, fallback = ''): string =>
  name ? (current === 'en' ? name.en : name.zh) : fallback;

/**
 * Intl formatters, built once per language, time zone and options: building one costs about as
 * much as formatting a hundred values, and the cockpit formats thousands of cases per refresh.
 */
const formatters = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();
const dateFormat = (locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => {
  const key = `d|${locale}|${timeZone}|${JSON.stringify(options)}`;
  let found = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!found) {
    found = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, found);
  }
  return found;
};
const numberFormat = (options: Intl.NumberFormatOptions = {}): Intl.NumberFormat => {
  const key = `n|${current}|${JSON.stringify(options)}`;
  let found = formatters.get(key) as Intl.NumberFormat | undefined;
  if (!found) {
    found = new Intl.NumberFormat(current, options);
    formatters.set(key, found);
  }
  return found;
};

export const formatNumber = (value: number): string => numberFormat().format(value);

export const formatPercent = (ratio: number): string =>
  numberFormat({ style: 'percent', maximumFractionDigits: 1 }).format(ratio);

export const formatDateTime = (iso: string): string =>
  dateFormat(current, {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));

export const formatClock = (date: Date): string =>
  dateFormat(current, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(date);

/** 1 天 3 小时 / 45 分钟 — the coarse duration a deadline needs. */
export const formatDuration = (ms: number): string => {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const unit = (value: number, zhUnit: string, enUnit: string) =>
    current === 'en' ? `${value} ${enUnit}` : `${value} ${zhUnit}`;
  if (days > 0) return `${unit(days, '天', 'd')} ${unit(hours, '小时', 'h')}`;
  if (hours > 0) return `${unit(hours, '小时', 'h')} ${unit(mins, '分钟', 'min')}`;
  return unit(mins, '分钟', 'min');
};

/** Midnight of the district's current day, as an instant: "today" means today in the district. */
export const startOfDistrictDay = (now: Date): Date => {
  const parts = dateFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const elapsedMs = (((get('hour') % 24) * 60 + get('minute')) * 60 + get('second')) * 1000;
  return new Date(Math.floor(now.getTime() / 1000) * 1000 - elapsedMs);
};

/** The hour (0–23) of an instant in district time. */
export const districtHour = (iso: string): number => {
  const hour = dateFormat('en-GB', { hour: '2-digit', hour12: false }).format(new Date(iso));
  return Number(hour) % 24;
};

/** 网格：紫金港 / Grid zone: Zijingang. */
export const labelled = (label: string, value: string): string =>
  `${label}${current === 'en' ? ': ' : '：'}${value}`;
