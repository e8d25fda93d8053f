/**
 * Traditional → simplified for the characters that reports use most (Hong Kong, Taiwan and
 * overseas residents type traditional). Character by character, which is enough for features:
 * the classifier only needs 路燈壞了 and 路灯坏了 to share their bigrams. Not a full converter.
 */
const TRADITIONAL = [
  '燈壞閃爍會兒滅華號區個麼們這裡裏來說話電線車輛門開關問間聞馬嗎媽為對時東後條邊過還進連運遠選遞適點黨',
  '無熱煙燒災氣樓樣樹橋標誌識護擋擠擺攤販賣買貨費資錢銀鐵鎖鋼鍋經營執許證認讓記請謝處務動勞場壓塊壇報環',
  '現發髮產廠廣廢廚廳應態總戶擔據攔斷書業極構槍歲歷殘決沒溝滿濕灣爛狀獨畫當盤監盡碼礙禮種積穩窮竊筆範節',
  '糧紅紙級細終組結給絕統絲網緊綠維編練縣績繩續罰職聯聲腦腳膽臉臨與舉舊莊葉蓋藥蘭蟲術衛衝補裝製複見規視',
  '親覺觀計訂討訓設訪評詞試詳語誤課調談論講變讀負財責質購賠趕跡躍軌軟較載輕輪輸轉辦農遊達違遲鄉鄰醫釘針',
  '銷鍵鏡長閉閒閘閥陽陰陳陸險隊階際隨隱雜雞離難雲霧靜響頂項順須預領頭題額顏顧風颱飛飯飲館餓饅駕驗騎體髒',
  '鬧魚鳥鹽麥黃齊齒龍偽側傳傷債僅價儀優兩內冊凍劃劇勢勵協卻參雙吳員啟喪嗚團圍國圖圓塗塵墊牆壽夠夢奮孫學',
  '寧實寫寬審寶將專尋導屆層屬島帶幫幹廟彈彎徑從復憂懷戰戲掃掛採換揚損搖搶撐撥擁擇擊擾攝敗敵數權橫檢櫃欄',
  '歡殺淚淺測溫漢潔濃濟灑灘爐爭牽獎獻療盜睜礦確禍窩竄築簡籃籠糞紀約純紛絡綁綜緣縮繞繪罷羅義習翹聖聽脫興',
  '舖鋪虧蝦眾衆訊託詐誰謊貼賭賽趨蹤軍輔辭郵醜釋鐘鑰閱闆隻雖靈頁頓頻顆飄養驚騙鬥樂臺濾瀉餅盞攪擬壩紋綫嚇',
  '嚴噸嘩喚壯夾奪婦嬰屍幣彙徹慣慮懶懸攏曉暫棄棟樁歸毀淨湧滲漲潰澆濁瀝煉煩狹獲瘋磚稅糾緩縫纏膠臟薦蘇誘賬',
  '賴贈軸輩轟遷鉛銅鋁錯鎮鏈陣顫颳騷鬆麵嚨嘗漿蔭註訴診詢該誠諾謹譜讚貪貸賀賓賃賺贏轄釀鈔錄錶鍊鏽閣闖頸顛',
  '飽餵騰鴨鵝麗滷燙殼蓮廁機礎貓傘嬤擴攜猶氫鋸錘鑽噴繫係滬汙謂邏輯瑪縱蠟賊鎬鍬樸餘準嘔黴飢饑',
].join('');
const SIMPLIFIED = [
  '灯坏闪烁会儿灭华号区个么们这里里来说话电线车辆门开关问间闻马吗妈为对时东后条边过还进连运远选递适点党',
  '无热烟烧灾气楼样树桥标志识护挡挤摆摊贩卖买货费资钱银铁锁钢锅经营执许证认让记请谢处务动劳场压块坛报环',
  '现发发产厂广废厨厅应态总户担据拦断书业极构枪岁历残决没沟满湿湾烂状独画当盘监尽码碍礼种积稳穷窃笔范节',
  '粮红纸级细终组结给绝统丝网紧绿维编练县绩绳续罚职联声脑脚胆脸临与举旧庄叶盖药兰虫术卫冲补装制复见规视',
  '亲觉观计订讨训设访评词试详语误课调谈论讲变读负财责质购赔赶迹跃轨软较载轻轮输转办农游达违迟乡邻医钉针',
  '销键镜长闭闲闸阀阳阴陈陆险队阶际随隐杂鸡离难云雾静响顶项顺须预领头题额颜顾风台飞饭饮馆饿馒驾验骑体脏',
  '闹鱼鸟盐麦黄齐齿龙伪侧传伤债仅价仪优两内册冻划剧势励协却参双吴员启丧呜团围国图圆涂尘垫墙寿够梦奋孙学',
  '宁实写宽审宝将专寻导届层属岛带帮干庙弹弯径从复忧怀战戏扫挂采换扬损摇抢撑拨拥择击扰摄败敌数权横检柜栏',
  '欢杀泪浅测温汉洁浓济洒滩炉争牵奖献疗盗睁矿确祸窝窜筑简篮笼粪纪约纯纷络绑综缘缩绕绘罢罗义习翘圣听脱兴',
  '铺铺亏虾众众讯托诈谁谎贴赌赛趋踪军辅辞邮丑释钟钥阅板只虽灵页顿频颗飘养惊骗斗乐台滤泻饼盏搅拟坝纹线吓',
  '严吨哗唤壮夹夺妇婴尸币汇彻惯虑懒悬拢晓暂弃栋桩归毁净涌渗涨溃浇浊沥炼烦狭获疯砖税纠缓缝缠胶脏荐苏诱账',
  '赖赠轴辈轰迁铅铜铝错镇链阵颤刮骚松面咙尝浆荫注诉诊询该诚诺谨谱赞贪贷贺宾赁赚赢辖酿钞录表链锈阁闯颈颠',
  '饱喂腾鸭鹅丽卤烫壳莲厕机础猫伞嬷扩携犹氢锯锤钻喷系系沪污谓逻辑玛纵蜡贼镐锹朴余准呕霉饥饥',
].join('');

const toSimplified = new Map<string, string>();
{
  const traditional = [...TRADITIONAL];
  const simplified = [...SIMPLIFIED];
  for (const [i, t] of traditional.entries()) toSimplified.set(t, simplified[i]!);
}

/** Folds the traditional characters it knows into simplified ones; leaves everything else. */
export const simplify = (text: string): string => {
  let out = '';
  for (const ch of text) out += toSimplified.get(ch) ?? ch;
  return out;
};

export const foldedCharacters = (): number => toSimplified.size;

/**
 * Cantonese written forms (Hong Kong residents write as they speak) folded into the Mandarin words
 * the catalogue and examples use: 唔 → 不, 冇 → 没, 咗 → 了, 喺 → 在, 屋企 → 家, 𨋢 → 电梯, …
 */
const CANTONESE: readonly (readonly [string, string])[] = [
  ['屋企', '家'],
  ['𨋢', '电梯'],
  ['單車', '自行车'],
  ['架車', '辆车'],
  ['架车', '辆车'],
  ['嘅', '的'],
  ['咗', '了'],
  ['喺', '在'],
  ['唔', '不'],
  ['冇', '没'],
  ['係', '是'],
  ['嚟', '来'],
  ['睇', '看'],
  ['啲', '些'],
  ['俾', '被'],
  ['嘈', '吵'],
  ['瞓', '睡'],
  ['攞', '拿'],
  ['佢', '他'],
  ['咁', '这么'],
  ['乜', '什么'],
  ['邊度', '哪里'],
  ['边度', '哪里'],
];

export const foldCantonese = (text: string): string => {
  let out = text;
  for (const [cantonese, mandarin] of CANTONESE)
    if (out.includes(cantonese)) out = out.split(cantonese).join(mandarin);
  return out;
};
