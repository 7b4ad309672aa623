"""The demo's case history: about sixty disputes per township, each driven through the real
operations at the moment it happened (``clock_at``), so that numbers, timelines, time limits,
referrals, agreements, follow-up visits and the case files are what the product itself would
have recorded.

Everything is drawn from ``random.Random(tenant.slug)``: the same township gets the same
stories. Times are counted back from now, so the running cases show green, yellow and red
lights whenever the seed is run. A township that has any case already is left alone.

The Chinese text here is content (the disputes people bring in), not interface, so it is not
translated.
"""
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from tenants.models import Membership
from tenants.scope import tenant_scope
from webapp import timelimits
from webapp.auth.models import User
from webapp.cases import operations as ops
from webapp.cases.models import (
    Case, Category, Difficulty, EscalationTarget, KeyPerson, Level, NextStep, PartyRole, Risk, Source, TagKind,
)
from webapp.extensions import db
from webapp.keypersons.operations import save_key_person
from webapp.personal_data import id_check_digit
from webapp.referrals.models import Department, DepartmentKind as D
from webapp.township.settings import settings_for
from webapp.types import clock_at, utcnow
from webapp.villages.models import Village

HISTORY_DAYS = 300  # about ten months back


# -- the disputes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Dispute:
    """One kind of dispute. Text fields are ``str.format`` patterns over the story's
    context: a, b, c (parties), v (village), g (villager group), town, k, mu, m, per, amount."""

    category: str
    title: str
    narrative: str
    focus: str                       # what the two sides disagree about
    agreement: str
    amount: tuple | None = None      # (low, high, step) in yuan, None when nothing is paid
    per: tuple | None = None         # a per-person/per-month sum used in the text
    roles: str = "ar"                # a applicant, r respondent, t third party
    women: str = ""                  # which of a, b, c are women
    kin: str = ""                    # which of a, b, c share a surname
    departments: tuple = ()          # where the center may divert it
    other: str = ""                  # the other side, when it is not a person (roles == "a")
    tags: tuple = ()


DISPUTES = [
    # 婚姻家庭
    Dispute("婚姻家庭", "{a}与{b}离婚财产分割纠纷",
            "{a}与丈夫{b}结婚十余年，育有一子一女。近年{b}常年在外务工，夫妻感情淡漠，双方均同意离婚，"
            "但对{v}{g}的两层砖混住房和{mu}亩茶地如何分割争执不下，{a}多次到镇上反映。",
            "住房和茶地的分割",
            "双方自愿离婚。住房归{b}所有，{b}一次性补偿{a}人民币{amount}元；{mu}亩茶地由双方各半经营；"
            "两个子女随{a}生活，{b}每月支付抚养费一千元至子女年满十八周岁。",
            amount=(20000, 80000, 1000), women="a", departments=(D.COURT, D.JUDICIAL_OFFICE)),
    Dispute("婚姻家庭", "{a}老人赡养纠纷",
            "{a}今年七十八岁，老伴去世后独居老屋。三个子女因赡养费分摊和轮流照顾问题互相推诿，"
            "长子{b}认为父母分家时偏向小儿子{c}，拒绝出钱。{a}到村委会哭诉生活无着。",
            "赡养费分摊和轮流照顾",
            "三名子女每人每月支付赡养费{per}元，于每月五日前交到{a}手中；{b}负责日常照料，"
            "医疗费用凭票据由三人平均分担。",
            per=(300, 600, 50), roles="art", kin="abc", departments=(D.JUDICIAL_OFFICE, D.COURT),
            tags=((TagKind.GROUP, "留守老人"),)),
    Dispute("婚姻家庭", "{a}与{b}婚姻家庭纠纷",
            "{b}酒后多次打骂妻子{a}，{a}带着孩子回到娘家居住并提出离婚。{b}扬言要到娘家闹事，"
            "双方家族关系紧张，村里担心发生冲突。",
            "是否离婚及{b}的行为保证",
            "{b}当面向{a}赔礼道歉，并书面保证戒酒、不再动手；双方分居冷静三个月，期间由村调委会和妇联执委"
            "跟踪回访，{a}保留起诉离婚的权利。",
            women="a", departments=(D.POLICE_STATION, D.COURT), tags=((TagKind.GROUP, "家庭暴力受害妇女"),)),
    Dispute("婚姻家庭", "{a}与{b}兄弟分家析产纠纷",
            "{a}与弟弟{b}分家时，对父母留下的老房子、两块水田和一片核桃林如何分配意见不一，兄弟二人多年"
            "不相往来，今年又因放水灌田发生争吵推搡。",
            "老房子和核桃林的分配",
            "老房子归{a}所有，{a}补偿{b}人民币{amount}元；两块水田各分一块；核桃林按株数平分，以现有地埂为界。",
            amount=(8000, 40000, 1000), kin="ab", departments=(D.JUDICIAL_OFFICE,)),
    # 邻里纠纷
    Dispute("邻里纠纷", "{a}与{b}宅基地界址纠纷",
            "{a}翻建住房时，新打的地基向{b}家一侧超出约{m}米。{b}认为侵占了自家宅基地，双方多次争吵并发生"
            "推搡，{b}把砖石堆在{a}家门口阻止施工。",
            "宅基地界址",
            "以村委会、自然资源所现场复核的界桩为准，{a}拆除超出部分的地基，{b}三日内清走堆放的砖石；"
            "双方互不追究此前的损失。",
            departments=(D.POLICE_STATION, D.JUDICIAL_OFFICE), tags=((TagKind.ISSUE, "宅基地"),)),
    Dispute("邻里纠纷", "{a}与{b}排水纠纷",
            "{b}家新打的院坝抬高了地面，下雨时雨水全部流进{a}家院子和圈房，{a}要求{b}改修排水沟，"
            "{b}不同意，两家多次口角。",
            "排水沟的走向和费用",
            "{b}在院坝东侧开挖排水沟接入村道边沟，所需费用{amount}元由双方各承担一半，一个月内完工。",
            amount=(1200, 6000, 100)),
    Dispute("邻里纠纷", "{a}与{b}通行道路纠纷",
            "{b}在自家承包地边砌围墙，堵住了{a}家多年来进出田地的小路，{a}的农用车无法通行，烟叶运不出来，"
            "双方在墙边争吵。",
            "通道宽度和补偿",
            "{b}让出宽一点五米的通道供{a}家通行，{a}一次性补偿{b}土地及青苗损失{amount}元。",
            amount=(1500, 8000, 100)),
    Dispute("邻里纠纷", "{a}与{b}牲畜毁损庄稼纠纷",
            "{b}家散养的黄牛闯入{a}家的烤烟地，踩坏烟苗约半亩。双方对赔偿数额争执不下，{a}把牛拴在"
            "自家圈里不肯归还。",
            "庄稼损失的数额",
            "{b}赔偿{a}烟苗损失{amount}元，{a}当场归还黄牛；{b}今后将牲畜圈养。",
            amount=(600, 3000, 100), departments=(D.POLICE_STATION,)),
    Dispute("邻里纠纷", "{a}与{b}相邻采光纠纷",
            "{b}在老宅旁加盖三层楼房，距离{a}家堂屋不足两米，挡住了{a}家的采光和通风，{a}要求停工，"
            "双方多次争吵。",
            "加盖的楼层和补偿",
            "{b}将第三层改为退台式建设，并补偿{a}采光损失{amount}元。",
            amount=(3000, 15000, 500), departments=(D.JUDICIAL_OFFICE,)),
    # 土地山林
    Dispute("土地山林", "{v}{g}与相邻村民小组山林界址纠纷",
            "{a}（{g}组长）反映，相邻村民小组村民在两组交界处的松树林中砍伐木材。双方对林权证四至的理解"
            "不同，两组二十余名村民曾上山对峙，险些发生肢体冲突。",
            "山林界线的走向",
            "经林草站对照林权证和卫星影像现场勘界，以山脊分水线为界重新埋设界桩；越界砍伐的木材折价"
            "{amount}元归{g}集体所有。",
            amount=(5000, 30000, 1000), departments=(D.GOVERNANCE_OFFICE, D.JUDICIAL_OFFICE),
            tags=((TagKind.AREA, "两组交界山林"), (TagKind.ISSUE, "山林权属"))),
    Dispute("土地山林", "{a}与{b}承包地界址纠纷",
            "{a}与{b}的承包地相邻，{b}犁地时把地埂向{a}一侧移了约半米，{a}发现后又把地埂挖回原处，"
            "双方在地里发生争吵。",
            "地埂的位置",
            "以二轮土地承包合同和确权登记图为准恢复原地埂，双方在地埂两端埋设水泥桩，今后互不越界耕种。",
            departments=(D.JUDICIAL_OFFICE,)),
    Dispute("土地山林", "{a}与{b}核桃树权属纠纷",
            "{a}的父亲生前在{b}承包地边上种了二十多棵核桃树，如今已经挂果。{b}认为树长在自家地里应归自己"
            "所有，双方采摘时发生抓扯。",
            "核桃树的归属和占地补偿",
            "核桃树仍归{a}所有，{a}每年向{b}支付占地补偿{amount}元；树木老化砍伐后土地由{b}收回耕种。",
            amount=(300, 1500, 100)),
    Dispute("土地山林", "{a}与{b}林地承包经营权纠纷",
            "{a}外出务工期间，{b}在{a}家的{mu}亩林地里种了重楼，{a}回村后要求收回林地，{b}以当年的口头"
            "约定为由拒绝，并要求赔偿投入。",
            "林地收回的时间和投入补偿",
            "{b}在下一收获季后将林地交还{a}，{a}补偿{b}种苗投入{amount}元。",
            amount=(3000, 20000, 500), departments=(D.JUDICIAL_OFFICE, D.COURT)),
    # 征地拆迁
    Dispute("征地拆迁", "{a}等{k}户征地补偿款分配纠纷",
            "县道改扩建工程征用{v}{g}集体土地，补偿款到位后，组里对外嫁女、新增人口能否参与分配意见分歧"
            "很大。{a}等{k}户外嫁女多次到镇政府反映，表示不解决就到市里上访，组长{b}坚持按原方案分配。",
            "外嫁女能否参与分配",
            "经组民会议表决，户口仍在本组且未在夫家分得承包地的外嫁女按人均标准参与分配，{a}等{k}户共补发"
            "补偿款{amount}元，由镇经管站监督发放。",
            amount=(30000, 120000, 1000), women="a", departments=(D.PETITION_OFFICE, D.GOVERNANCE_OFFICE),
            tags=((TagKind.GROUP, "外嫁女"), (TagKind.ISSUE, "征地补偿款分配"))),
    Dispute("征地拆迁", "{a}房屋拆迁补偿纠纷",
            "{a}家的房屋位于集镇道路改造红线内，{a}认为评估价格偏低，拒绝签订补偿协议，并多次到施工现场"
            "阻止施工。",
            "房屋的评估价格",
            "重新委托评估机构复核后，房屋补偿款调整为{amount}元，另给予三个月搬迁过渡费；{a}在十五日内"
            "腾空房屋，不再阻工。",
            amount=(150000, 420000, 5000), roles="a", other="集镇道路改造项目指挥部",
            departments=(D.PETITION_OFFICE, D.GOVERNANCE_OFFICE),
            tags=((TagKind.ISSUE, "房屋征收补偿"),)),
    Dispute("征地拆迁", "{a}青苗及地上附着物补偿纠纷",
            "电网线路塔基施工占用{a}家的茶地，施工方负责人{b}只按占地面积补偿，没有计算被挖掉的茶树，"
            "{a}和家人在工地上阻止施工。",
            "茶树的补偿标准",
            "施工方按每株茶树的补偿标准另行补偿{a}共计{amount}元，款项由镇征拆办监督支付，{a}不再阻工。",
            amount=(2000, 15000, 100), departments=(D.GOVERNANCE_OFFICE,), tags=((TagKind.ISSUE, "青苗补偿"),)),
    # 易地搬迁
    Dispute("易地搬迁", "{v}易地搬迁安置点宅基地分配纠纷",
            "搬迁户{a}认为安置点抽签分到的宅基地紧挨排洪沟，面积也比{b}家的小，要求重新分配，拒绝在建房"
            "协议上签字，影响安置点整体开工。",
            "宅基地的位置和面积",
            "经安置点理事会会同自然资源所现场复核，两户宅基地面积一致；{b}自愿与{a}调换地块，{a}补偿{b}"
            "人民币{amount}元。",
            amount=(2000, 10000, 500), departments=(D.GOVERNANCE_OFFICE,),
            tags=((TagKind.AREA, "{v}易地搬迁安置点"),)),
    Dispute("易地搬迁", "{a}搬迁后旧房拆除纠纷",
            "搬迁户{a}入住安置点新房已满一年，但以旧房还要堆放农具、养猪为由拒绝拆除，影响全组的复垦验收，"
            "组长{b}多次上门协调未果。",
            "旧房拆除的期限",
            "{a}保留一间圈房用于养殖至年底，其余旧房一个月内拆除；复垦后的土地仍由{a}耕种。",
            departments=(D.GOVERNANCE_OFFICE,), tags=((TagKind.AREA, "{v}易地搬迁安置点"),)),
    Dispute("易地搬迁", "{a}与{b}安置房建设质量纠纷",
            "{a}在安置点的新房入住半年后墙体出现裂缝、屋面漏雨，施工队负责人{b}认为是地基沉降，"
            "不属于保修范围，双方争执不下。",
            "维修责任和损失赔偿",
            "施工队一个月内免费维修墙体和屋面，并赔偿{a}家具等损失{amount}元，由安置点理事会监督验收。",
            amount=(2000, 12000, 500), departments=(D.JUDICIAL_OFFICE, D.GOVERNANCE_OFFICE),
            tags=((TagKind.AREA, "{v}易地搬迁安置点"), (TagKind.ISSUE, "安置房质量"))),
    Dispute("易地搬迁", "{v}安置点用水纠纷",
            "{a}反映安置点上段住户{b}等人私接水管浇灌菜地，下段十余户经常停水，双方在水池边发生争吵。",
            "用水的分配",
            "由理事会统一改造分水池，按户安装水表；{b}等人拆除私接水管，改造费用{amount}元由受益户按户分摊。",
            amount=(3000, 9000, 500), tags=((TagKind.AREA, "{v}易地搬迁安置点"),)),
    # 劳资纠纷
    Dispute("劳资纠纷", "{a}等{k}人追讨帮工工资纠纷",
            "{a}等{k}名村民在{b}的烤烟房帮工两个多月，{b}以烟叶收购款未到账为由，拖欠工资共计{amount}元，"
            "{a}等人多次上门讨要无果。",
            "拖欠工资的数额和支付时间",
            "{b}于本月底前一次性支付拖欠的工资{amount}元，由村委会见证交付。",
            amount=(8000, 40000, 500), departments=(D.JUDICIAL_OFFICE,), tags=((TagKind.GROUP, "农民工"),)),
    Dispute("劳资纠纷", "{a}与{b}务工受伤赔偿纠纷",
            "{a}在{b}承包的民房建设工地做小工时从脚手架跌落，右腿骨折，住院花费两万余元。{b}只愿承担一半，"
            "房主{c}认为与己无关，{a}的家属到{b}家中讨说法。",
            "医疗费和误工费的承担",
            "{b}承担全部医疗费，另支付误工费、护理费、营养费共计{amount}元，分两期付清；房主{c}自愿补助"
            "两千元。",
            amount=(15000, 60000, 1000), roles="art", departments=(D.POLICE_STATION, D.COURT, D.JUDICIAL_OFFICE),
            tags=((TagKind.GROUP, "农民工"),)),
    Dispute("劳资纠纷", "{a}等{k}人与{b}茶叶初制所劳务费纠纷",
            "{a}等{k}人在{b}经营的茶叶初制所采茶，采摘季结束后，{b}以茶价下跌为由按每斤少算两元结算工钱，"
            "采茶工聚集在初制所门口讨要。",
            "工钱的结算标准",
            "{b}按原约定标准补足工钱共计{amount}元，三日内付清。",
            amount=(6000, 25000, 500), women="a", tags=((TagKind.GROUP, "农民工"),)),
    # 合同纠纷
    Dispute("合同纠纷", "{a}与{b}土地流转合同纠纷",
            "{a}将{mu}亩水田流转给{b}种植草果苗，合同约定每年流转费{per}元。{b}已拖欠两年流转费，"
            "又提出提前解除合同。",
            "拖欠的流转费和合同解除",
            "{b}支付拖欠的流转费{amount}元，合同于本年底解除，{b}负责恢复田埂和沟渠。",
            amount=(4000, 20000, 500), per=(2000, 6000, 500), departments=(D.COURT, D.JUDICIAL_OFFICE)),
    Dispute("合同纠纷", "{a}与{b}建房承包合同纠纷",
            "{a}将自建房包给{b}施工，约定四个月完工，现已超期两个月仍未封顶。{a}扣着尾款不给，"
            "{b}带着工人停工。",
            "工期延误和尾款结算",
            "{b}在四十五日内完工，{a}在验收合格后支付尾款{amount}元；延误工期的损失双方互不追究。",
            amount=(20000, 80000, 1000), departments=(D.COURT, D.JUDICIAL_OFFICE)),
    Dispute("合同纠纷", "{a}与{b}牲畜买卖纠纷",
            "{a}从{b}处买了两头黄牛，付款后不到半个月其中一头病死，{a}认为{b}隐瞒了病情，要求退款，"
            "{b}拒绝。",
            "病死黄牛的价款",
            "{b}退还病死黄牛价款的一半计{amount}元，{a}不再追究。",
            amount=(3000, 8000, 500)),
    Dispute("合同纠纷", "{a}与{b}民宿房屋租赁合同纠纷",
            "{a}把自家老宅出租给{b}开民宿，约定租期十年。{b}未经同意拆改了老宅的木楼梯和隔墙，{a}要求解除"
            "合同、恢复原状，{b}要求赔偿装修投入。",
            "拆改老宅的责任和合同是否继续",
            "合同继续履行，{b}按原样恢复木楼梯，并赔偿{a}人民币{amount}元；今后改动房屋须经{a}书面同意。",
            amount=(5000, 30000, 1000), departments=(D.COURT, D.JUDICIAL_OFFICE)),
    Dispute("合同纠纷", "{a}与{b}民间借贷纠纷",
            "{b}前年向{a}借款{amount}元用于购买农用车，约定一年归还，现逾期一年多未还，{a}多次催要，"
            "{b}避而不见。",
            "还款期限",
            "{b}分三期归还借款{amount}元，每期于当月二十日前付清；逾期一期，{a}可就剩余款项申请司法确认后"
            "强制执行。",
            amount=(10000, 60000, 1000), departments=(D.COURT,)),
    # 损害赔偿
    Dispute("损害赔偿", "{a}与{b}交通事故损害赔偿纠纷",
            "{b}驾驶三轮摩托车在村道上与{a}骑的电动车相撞，{a}左臂骨折，住院十余天。双方对医疗费、误工费的"
            "赔偿数额分歧较大。",
            "医疗费和误工费的赔偿数额",
            "{b}赔偿{a}医疗费、误工费、护理费等共计{amount}元，于协议签订之日起十日内付清。",
            amount=(8000, 45000, 500), departments=(D.POLICE_STATION,)),
    Dispute("损害赔偿", "{a}之子被{b}家犬只咬伤赔偿纠纷",
            "{a}的儿子放学途经{b}家门口时被{b}家未拴养的狗咬伤小腿，{a}要求{b}承担狂犬疫苗和误工费用，"
            "{b}认为是孩子逗狗在先。",
            "疫苗费和误工费的承担",
            "{b}赔偿狂犬疫苗费、医药费及误工费共计{amount}元，并将犬只拴养。",
            amount=(800, 4000, 100), departments=(D.POLICE_STATION,)),
    Dispute("损害赔偿", "{a}与{b}酒后斗殴致伤赔偿纠纷",
            "{a}与{b}在村里一户人家办喜事时酒后发生口角继而互殴，{a}面部缝了六针，派出所已出警处置，"
            "双方对赔偿数额有争议，两家亲属互相指责。",
            "伤情责任和赔偿数额",
            "{b}向{a}赔礼道歉，并赔偿医疗费、误工费共计{amount}元；双方今后互不寻衅。",
            amount=(2000, 12000, 500), departments=(D.POLICE_STATION,)),
    Dispute("损害赔偿", "{a}与{b}烤烟房失火损害赔偿纠纷",
            "{b}家烤烟房烘烤时失火，殃及相邻{a}家的柴房和存放的烟叶，{a}估算损失三万余元，{b}认为估价过高。",
            "火灾损失的数额",
            "参照村委会组织的损失清点结果，{b}赔偿{a}损失{amount}元，分两次付清。",
            amount=(8000, 30000, 500), departments=(D.POLICE_STATION,)),
    # 其他
    Dispute("其他", "{v}{g}集体收益分配纠纷",
            "{g}出租集体林地获得租金，部分村民对组长{b}公布的账目提出质疑，{a}等{k}户认为分配不公，拒绝领取"
            "分红，并要求更换组长。",
            "账目公开和分配方案",
            "组内公开近三年的集体收支账目，由村务监督委员会审核；租金扣除公益支出后按户平均分配，"
            "每户{per}元。",
            per=(300, 1500, 50), departments=(D.GOVERNANCE_OFFICE,), tags=((TagKind.ISSUE, "集体收益分配"),)),
    Dispute("其他", "{a}与{b}坟地纠纷",
            "{b}家在{a}家承包地边的老坟附近新修坟墓，{a}认为占用了自家耕地，双方家族十余人在山上聚集争吵。",
            "新坟的位置",
            "{b}家将新坟外移五米至荒坡，{a}家不再阻拦其清明祭扫，双方家族各自约束家人。",
            departments=(D.GOVERNANCE_OFFICE, D.POLICE_STATION)),
    Dispute("其他", "{a}与{b}灌溉用水纠纷",
            "栽秧时节，上游的{b}把沟渠截断，将水全部引进自家田里，下游{a}等几户的秧田缺水，双方在沟边"
            "发生争吵。",
            "轮灌的顺序",
            "按照村规民约轮流放水：{b}家白天放水，{a}等户夜间放水，由组长监督执行。"),
]

SURNAMES = ("李李李杨杨杨张张王王赵段段尹尹刘刘寸寸钏许董杜明孙郭罗曹蔺龚封贾黄陈周马")
MEN = ("国华 志强 正发 家富 学文 德明 绍华 应祥 加兴 光荣 自清 开富 兴旺 建国 永和 继忠 发明 文才 会昌 顺林 "
       "金贵 有福 启明 树清 绍春 朝富 春生 玉成 庆华 正明 家旺 成林 德顺 汝昌").split()
WOMEN = ("春兰 秀英 玉梅 桂芬 美仙 丽芳 会仙 凤英 菊芬 兰英 金凤 秀芝 翠萍 丽华 永芬 艳红 玉兰 桂香 彩云 润芬"
         ).split()
# 腾冲 (county, then city), 隆阳, 龙陵: where people here were born.
ID_REGIONS = {"530522": 6, "530581": 2, "530502": 1, "530523": 1}
MOBILE_PREFIXES = "133 135 136 137 138 139 150 151 152 153 157 158 180 182 187 188 189 199".split()
SMALL_NUMBERS = "一 两 三 四 五 六".split()

DIFFICULTY_ZH = {Difficulty.ORDINARY: "一般", Difficulty.COMPLEX: "复杂", Difficulty.MAJOR: "重大"}
RISK_ZH = {Risk.RESOLVABLE: "可化解", Risk.CONTROLLABLE: "可稳控", Risk.MAY_ESCALATE: "可激化"}

# About how often each kind of dispute comes in at a rural township's center.
CATEGORY_SHARES = {"邻里纠纷": 18, "婚姻家庭": 14, "土地山林": 14, "损害赔偿": 10, "合同纠纷": 10, "征地拆迁": 9,
                   "易地搬迁": 9, "劳资纠纷": 8, "其他": 8}

KEY_PERSON_KINDS = ("长期非正常上访人员", "有极端暴力倾向人员", "肇事肇祸风险人员")


# -- how a case goes: a plan of steps, in days after acceptance ----------------------------


@dataclass
class Plan:
    steps: list = field(default_factory=list)  # (days after acceptance, step, options)
    t: float = 0.0
    dues: list = field(default_factory=list)    # follow-up visits still open, in days after acceptance

    def then(self, gap: float, step: str, **options) -> "Plan":
        self.t += max(gap, 0.005)
        self.steps.append((self.t, step, options))
        return self


@dataclass
class Story:
    scenario: str
    plan: Plan
    placement: tuple                 # see _place()
    department: D | None = None      # where a referral goes
    running: bool = False            # the case's clock is still running at the end
    forced_risk: Risk | None = None
    forced_difficulty: tuple = ()    # allowed difficulties, when the scenario needs some
    dispute: Dispute | None = None
    text: dict = field(default_factory=dict)
    parties: list = field(default_factory=list)
    village: Village | None = None
    group: object = None
    source: Source | None = None
    level: Level | None = None
    difficulty: Difficulty | None = None
    risk: Risk | None = None
    light: str | None = None
    times: list = field(default_factory=list)
    case: Case | None = None
    sessions_held: int = 0


def _intake(p: Plan, rng) -> None:
    p.then(0, "register")
    p.then(rng.uniform(0.05, 1.0), "assess")


def _mediation(p: Plan, rng, length: float) -> None:
    """Start mediation and hold one to three sessions over about ``length`` days."""
    p.then(rng.uniform(0.05, 0.8), "mediate", self_assigned=rng.random() < 0.3)
    sessions = 1 if length < 3 else rng.choice((1, 2, 2, 3))
    for _ in range(sessions):
        p.then(max(length - 0.8, 0.3) / sessions * rng.uniform(0.6, 1.0), "session")


def _resolve(p: Plan, rng, offsets, step="resolve") -> None:
    p.then(rng.uniform(0.01, 0.1), step)
    p.dues.extend(p.t + days for days in offsets)
    p.dues.sort()


def _visit(p: Plan, rng, **options) -> None:
    due = p.dues.pop(0)
    p.then(max(due, p.t) + rng.uniform(0.0, 1.8) - p.t, "visit", **options)


def _visits(p: Plan, rng, partial=False) -> None:
    first = True
    while p.dues:
        _visit(p, rng, partial=partial and first)
        first = False


def _referral(p: Plan, rng, *, result: str | None, session=True) -> None:
    """To the police station (the township's liaison), accepted, and ``result`` of
    complete / return / None (still with the department)."""
    p.then(rng.uniform(0.1, 1.0), "refer")
    p.then(rng.uniform(0.05, 1.5), "accept")
    if session:
        p.then(rng.uniform(0.5, 4.0), "session", liaison=True)
    if result:
        p.then(rng.uniform(0.05, 2.0), result)


def _length(rng, limit: int, late: bool) -> float:
    """How long the mediation takes: mostly inside the limit, sometimes over it."""
    return limit * (rng.uniform(1.05, 1.5) if late else rng.uniform(0.3, 0.85))


def _build(scenario: str, rng, limit: int, offsets: list[int]) -> Story:
    """The steps of one scenario. The name says where the case ends up."""
    p = Plan()
    late = rng.random() < 0.15
    story = dict(scenario=scenario, plan=p)
    if scenario == "registered":
        p.then(0, "register")
        return Story(**story, placement=("end", rng.uniform(0.05, 2.5)))
    _intake(p, rng)
    if scenario == "assessed":
        return Story(**story, placement=("light",), running=True)
    if scenario == "mediating":
        _mediation(p, rng, rng.uniform(1, 5))
        return Story(**story, placement=("light",), running=True)
    if scenario == "mediating_after_return":
        _referral(p, rng, result="return", session=False)
        _mediation(p, rng, rng.uniform(1, 3))
        return Story(**story, placement=("light",), running=True, department=D.POLICE_STATION)
    if scenario == "mediating_after_flare_up":
        _mediation(p, rng, _length(rng, limit, False))
        _resolve(p, rng, offsets)
        _visit(p, rng, flare=True)
        p.then(rng.uniform(0.5, 2.0), "session")
        return Story(**story, placement=("end", rng.uniform(0.3, 4)))
    if scenario == "mediating_after_escalation":
        _mediation(p, rng, rng.uniform(2, 6))
        p.then(rng.uniform(0.1, 1), "escalate", target=EscalationTarget.PARTY_COMMITTEE)
        p.then(rng.uniform(1, 5), "resume")
        p.then(rng.uniform(0.5, 3), "session")
        return Story(**story, placement=("light",), running=True, forced_risk=Risk.MAY_ESCALATE,
                     forced_difficulty=(Difficulty.COMPLEX, Difficulty.MAJOR))
    if scenario == "referred_pending":
        p.then(rng.uniform(0.1, 1.0), "refer")
        return Story(**story, placement=("light",), running=True, department=D.POLICE_STATION)
    if scenario == "referred_accepted":
        _referral(p, rng, result=None)
        return Story(**story, placement=("light",), running=True, department=D.POLICE_STATION)
    if scenario.startswith("referred_to_"):
        p.then(rng.uniform(0.1, 1.0), "refer")
        return Story(**story, placement=("light",), running=True, department=D(scenario.removeprefix("referred_to_")))
    if scenario == "referred_from_mediation":
        _mediation(p, rng, rng.uniform(1, 3))
        _referral(p, rng, result=None, session=False)
        return Story(**story, placement=("light",), running=True, department=D.POLICE_STATION)
    if scenario == "returned":
        _referral(p, rng, result="return", session=rng.random() < 0.5)
        return Story(**story, placement=("light",), running=True, department=D.POLICE_STATION)
    if scenario == "resolved":
        _mediation(p, rng, _length(rng, limit, late))
        _resolve(p, rng, offsets)
        return Story(**story, placement=("end", rng.uniform(0.3, 9)))
    if scenario == "resolved_by_department":
        _referral(p, rng, result=None)
        _resolve(p, rng, offsets, step="complete")
        return Story(**story, placement=("end", rng.uniform(0.3, 6)), department=D.POLICE_STATION)
    if scenario == "failed":
        _mediation(p, rng, _length(rng, limit, late))
        p.then(rng.uniform(0.01, 0.2), "fail")
        return Story(**story, placement=("end", rng.uniform(0.5, 8)))
    if scenario == "failed_to_escalate":
        _mediation(p, rng, _length(rng, limit, late))
        p.then(rng.uniform(0.01, 0.2), "fail", next_step=NextStep.ESCALATE)
        return Story(**story, placement=("end", rng.uniform(0.2, 2)), forced_risk=Risk.MAY_ESCALATE)
    if scenario == "follow_up":
        _mediation(p, rng, _length(rng, limit, late))
        _resolve(p, rng, offsets)
        _visit(p, rng, partial=rng.random() < 0.3)
        return Story(**story, placement=("end", rng.uniform(0.2, 26)))
    if scenario == "follow_up_after_referral":
        _referral(p, rng, result=None)
        _resolve(p, rng, offsets, step="complete")
        _visit(p, rng)
        return Story(**story, placement=("end", rng.uniform(0.2, 20)), department=D.POLICE_STATION)
    if scenario == "escalated":
        _mediation(p, rng, rng.uniform(2, 8))
        p.then(rng.uniform(0.1, 1), "escalate", target=EscalationTarget.PARTY_COMMITTEE)
        return Story(**story, placement=("light",), running=True, forced_risk=Risk.MAY_ESCALATE,
                     forced_difficulty=(Difficulty.COMPLEX, Difficulty.MAJOR))
    if scenario == "escalated_at_once":
        p.then(rng.uniform(0.05, 0.5), "escalate", target=EscalationTarget.COUNTY_BUREAU)
        return Story(**story, placement=("light",), running=True, forced_risk=Risk.MAY_ESCALATE,
                     forced_difficulty=(Difficulty.MAJOR,))
    if scenario == "escalated_from_referral":
        p.then(rng.uniform(0.1, 1.0), "refer")
        p.then(rng.uniform(1, 6), "escalate", target=EscalationTarget.PARTY_COMMITTEE)
        return Story(**story, placement=("light",), running=True, department=D.PETITION_OFFICE,
                     forced_risk=Risk.MAY_ESCALATE, forced_difficulty=(Difficulty.COMPLEX, Difficulty.MAJOR))
    if scenario == "escalated_after_failure":
        _mediation(p, rng, rng.uniform(2, 8))
        p.then(rng.uniform(0.01, 0.2), "fail", next_step=NextStep.ESCALATE)
        p.then(rng.uniform(0.1, 2), "escalate", target=EscalationTarget.PARTY_COMMITTEE)
        return Story(**story, placement=("light",), running=True, forced_risk=Risk.MAY_ESCALATE,
                     forced_difficulty=(Difficulty.COMPLEX, Difficulty.MAJOR))
    # Closed and archived cases lie anywhere in the past ten months.
    if scenario == "closed_after_referral":
        _referral(p, rng, result=None)
        _resolve(p, rng, offsets, step="complete")
        _visits(p, rng)
        p.then(rng.uniform(0.2, 3), "close")
        return Story(**story, placement=("past",), department=D.POLICE_STATION)
    if scenario in ("closed", "archived"):
        _mediation(p, rng, _length(rng, limit, late))
        _resolve(p, rng, offsets)
        _visits(p, rng, partial=rng.random() < 0.15)
        p.then(rng.uniform(0.2, 3), "close")
        if scenario == "closed":  # the file is still being put together
            return Story(**story, placement=("end", rng.uniform(0.5, 15)))
        p.then(rng.uniform(0.5, 10), "archive")
        return Story(**story, placement=("past",))
    if scenario in ("closed_after_failure", "archived_after_failure"):
        _mediation(p, rng, _length(rng, limit, late))
        p.then(rng.uniform(0.01, 0.2), "fail")
        p.then(rng.uniform(0.5, 5), "close")
        if scenario == "archived_after_failure":
            p.then(rng.uniform(0.5, 10), "archive")
        return Story(**story, placement=("past",))
    if scenario in ("closed_after_escalation", "archived_after_escalation"):
        _mediation(p, rng, rng.uniform(2, 8))
        p.then(rng.uniform(0.1, 1), "escalate", target=EscalationTarget.PARTY_COMMITTEE)
        p.then(rng.uniform(5, 30), "close")
        if scenario == "archived_after_escalation":
            p.then(rng.uniform(0.5, 10), "archive")
        return Story(**story, placement=("past",), forced_risk=Risk.MAY_ESCALATE,
                     forced_difficulty=(Difficulty.COMPLEX, Difficulty.MAJOR))
    if scenario == "archived_after_return":
        _referral(p, rng, result="return")
        _mediation(p, rng, _length(rng, limit, late))
        _resolve(p, rng, offsets)
        _visits(p, rng)
        p.then(rng.uniform(0.2, 3), "close")
        p.then(rng.uniform(0.5, 10), "archive")
        return Story(**story, placement=("past",), department=D.POLICE_STATION)
    if scenario == "archived_after_resuming":
        _mediation(p, rng, rng.uniform(2, 6))
        p.then(rng.uniform(0.1, 1), "escalate", target=EscalationTarget.PARTY_COMMITTEE)
        p.then(rng.uniform(2, 8), "resume")
        p.then(rng.uniform(1, 4), "session")
        _resolve(p, rng, offsets)
        _visits(p, rng)
        p.then(rng.uniform(0.2, 3), "close")
        p.then(rng.uniform(0.5, 10), "archive")
        return Story(**story, placement=("past",), forced_risk=Risk.MAY_ESCALATE,
                     forced_difficulty=(Difficulty.COMPLEX, Difficulty.MAJOR))
    if scenario == "archived_after_flare_up":
        _mediation(p, rng, _length(rng, limit, False))
        _resolve(p, rng, offsets)
        _visit(p, rng, flare=True)
        p.then(rng.uniform(0.5, 2), "session")
        p.then(rng.uniform(1, 4), "session")
        _resolve(p, rng, offsets)
        _visits(p, rng)
        p.then(rng.uniform(0.2, 3), "close")
        p.then(rng.uniform(0.5, 10), "archive")
        return Story(**story, placement=("past",))
    raise ValueError(scenario)


def _scenarios(rng) -> list[str]:
    """About sixty cases: every state, and the common roads to each."""
    counts = {
        "registered": 3, "assessed": 3,
        "mediating": rng.randint(5, 7), "mediating_after_return": 1, "mediating_after_flare_up": 1,
        "mediating_after_escalation": 1,
        "referred_pending": 1, "referred_accepted": 1, "referred_from_mediation": 1,
        "referred_to_" + rng.choice([D.COURT, D.JUDICIAL_OFFICE]).value: 1,
        "referred_to_" + rng.choice([D.GOVERNANCE_OFFICE, D.PETITION_OFFICE]).value: 1,
        "returned": 2,
        "resolved": 2, "resolved_by_department": 1,
        "failed": 2, "failed_to_escalate": 1,
        "follow_up": 3, "follow_up_after_referral": 1,
        "escalated": 1, "escalated_at_once": 1, "escalated_from_referral": 1, "escalated_after_failure": 1,
        "closed": rng.randint(2, 4), "closed_after_referral": 2, "closed_after_failure": 1,
        "closed_after_escalation": 1,
        "archived": rng.randint(11, 15), "archived_after_return": 2, "archived_after_failure": 2,
        "archived_after_resuming": 1, "archived_after_escalation": 1, "archived_after_flare_up": 1,
    }
    return [name for name, count in counts.items() for _ in range(count)]


def _spread(rng, n: int, weights: dict) -> list:
    """``n`` values drawn by weight, with every value at least once (when n allows)."""
    values = list(weights)
    chosen = values[:n] + rng.choices(values, weights=[weights[v] for v in values], k=max(n - len(values), 0))
    rng.shuffle(chosen)
    return chosen


# -- time -----------------------------------------------------------------------------------


def _office_hours(moment: datetime) -> datetime:
    """Move a moment that falls at night into the next working day (08:00–18:00 Beijing),
    keeping where in the night it fell, so that not everything happens at eight."""
    local = moment.astimezone(timelimits.BEIJING)
    if 8 <= local.hour < 18:
        return moment
    evening = local.replace(hour=18, minute=0, second=0, microsecond=0)
    if local.hour < 8:
        evening -= timedelta(days=1)
    into_night = (local - evening) / timedelta(hours=14)
    morning = evening + timedelta(hours=14)
    return morning.astimezone(moment.tzinfo) + timedelta(hours=10) * into_night


def _place(story: Story, rng, now: datetime, limit: int) -> list[datetime]:
    """When each step of the story happened.

    ``("past",)``: the whole story lies somewhere in the last ten months.
    ``("end", days)``: the last step was ``days`` ago.
    ``("light",)``: the case is still running; it was accepted so that its light is the
    story's, and what followed the assessment is spread over the time since.
    """
    steps = story.plan.steps
    offsets = [t for t, _, _ in steps]
    kind = story.placement[0]
    if kind == "past":
        earliest = max(HISTORY_DAYS, offsets[-1] + 3)
        start = now - timedelta(days=rng.uniform(offsets[-1] + 3, earliest))
    elif kind == "end":
        start = now - timedelta(days=story.placement[1] + offsets[-1])
    else:
        left = {"green": rng.uniform(4, limit - 0.8), "yellow": rng.uniform(0.6, 2.2),
                "red": -rng.uniform(1, min(25, limit * 1.5))}[story.light]
        start = min(_office_hours(now - timedelta(days=limit - left)), now - timedelta(hours=2))
        available = (now - start) / timedelta(days=1) - 0.05
        assessed = next((i for i, (_, step, _) in enumerate(steps) if step == "assess"), 0)
        if offsets[assessed] > available * 0.4:
            scale = available * rng.uniform(0.5, 0.95) / offsets[-1]
            offsets = [t * scale for t in offsets]
        elif offsets[-1] > offsets[assessed]:
            base = offsets[assessed]
            scale = (available - base) * rng.uniform(0.5, 0.95) / (offsets[-1] - base)
            offsets = offsets[:assessed + 1] + [base + (t - base) * scale for t in offsets[assessed + 1:]]
    gaps = [rng.randint(3, 40) for _ in offsets]
    for _ in range(5):
        times = _moments(start, offsets, gaps)
        overflow = times[-1] - (now - timedelta(minutes=5))
        if kind == "light" or overflow <= timedelta(0):
            break
        # Working hours pushed the end past now: start earlier, keeping the days between steps.
        start -= overflow + timedelta(hours=1)
    # Never in the future: squeeze the last steps up against now, keeping their order.
    return [min(moment, now - timedelta(minutes=2 * (len(times) - i))) for i, moment in enumerate(times)]


def _moments(start: datetime, offsets: list[float], gaps: list[int]) -> list[datetime]:
    times, previous = [], None
    for offset, gap in zip(offsets, gaps):
        moment = _office_hours(start + timedelta(days=offset))
        if previous is not None:
            moment = max(moment, previous + timedelta(minutes=gap))
        times.append(moment)
        previous = moment
    return times


# -- people ---------------------------------------------------------------------------------


def _person(rng, *, woman: bool, surname: str | None = None, born=(1950, 2000)) -> dict:
    name = (surname or rng.choice(SURNAMES)) + rng.choice(WOMEN if woman else MEN)
    region = rng.choices(list(ID_REGIONS), weights=list(ID_REGIONS.values()))[0]
    birth = f"{rng.randint(*born)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    serial = f"{rng.randint(0, 99):02d}{rng.choice('02468' if woman else '13579')}"
    first17 = region + birth + serial
    return {"name": name, "id_number": first17 + id_check_digit(first17),
            "phone": rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"}


def _address(rng, town: str, village: Village, group) -> str:
    return f"{town}{village.name}{group.name}{rng.randint(1, max(group.households, 1))}号"


# -- the township ---------------------------------------------------------------------------


class _Township:
    def __init__(self, tenant):
        self.tenant = tenant
        self.rng = random.Random(tenant.slug)
        self.now = utcnow()
        self.settings = settings_for(tenant.id)
        self.villages = db.session.scalars(select(Village).where(Village.tenant_id == tenant.id)
                                           .order_by(Village.id)).all()
        self.categories = {c.name: c for c in db.session.scalars(
            select(Category).where(Category.tenant_id == tenant.id))}
        self.departments = {d.kind: d for d in db.session.scalars(
            select(Department).where(Department.tenant_id == tenant.id).order_by(Department.id))}
        members = db.session.execute(
            select(User.username, Membership).join(Membership, Membership.user_id == User.id)
            .where(Membership.tenant_id == tenant.id)).all()
        by_name = dict(members)
        self.staff = {role: by_name[f"{tenant.slug}.{role}"]
                      for role in ("admin", "clerk", "mediator", "officer", "police")}
        self.key_persons = []

    # -- planning ---------------------------------------------------------------------------

    def plan(self) -> list[Story]:
        rng = self.rng
        offsets = self.settings.follow_up_offsets()
        scenarios = _scenarios(rng)
        # Difficulty first: it sets the time limit the story's timing depends on.
        assessed = [s for s in scenarios if s != "registered"]
        difficulties = iter(_spread(rng, len(assessed), {Difficulty.ORDINARY: 6, Difficulty.COMPLEX: 4,
                                                         Difficulty.MAJOR: 1}))
        stories = []
        for scenario in scenarios:
            difficulty = next(difficulties) if scenario != "registered" else None
            limit = self.settings.limit_days(difficulty.value) if difficulty else 7
            story = _build(scenario, rng, limit, offsets)
            if story.forced_difficulty and difficulty not in story.forced_difficulty:
                difficulty = rng.choice(story.forced_difficulty)
                limit = self.settings.limit_days(difficulty.value)
                story = _build(scenario, rng, limit, offsets)
            story.difficulty = difficulty
            stories.append(story)
        self._spread_attributes(stories)
        self._choose_disputes(stories)
        for story in stories:
            limit = self.settings.limit_days(story.difficulty.value) if story.difficulty else 7
            story.times = _place(story, rng, self.now, limit)
            self._cast(story)
        return stories

    def _spread_attributes(self, stories: list[Story]) -> None:
        rng = self.rng
        # Every difficulty must survive the scenarios that insist on one.
        for missing in set(Difficulty) - {s.difficulty for s in stories if s.difficulty}:
            counts = {d: sum(s.difficulty == d for s in stories) for d in Difficulty}
            donors = [s for s in stories if s.difficulty and not s.forced_difficulty and counts[s.difficulty] > 1]
            rng.choice(donors).difficulty = missing
        open_risk = [s for s in stories if s.scenario != "registered" and s.forced_risk is None]
        for story, risk in zip(open_risk, _spread(rng, len(open_risk), {
                Risk.RESOLVABLE: 7, Risk.CONTROLLABLE: 3, Risk.MAY_ESCALATE: 0.3})):
            story.risk = risk
        for story in stories:
            story.risk = story.forced_risk or story.risk
        for story, source in zip(stories, _spread(rng, len(stories), {
                Source.VISIT: 8, Source.INVESTIGATION: 5, Source.CALL: 3, Source.COUNCIL: 2,
                Source.ASSIGNED: 1, Source.HANDOVER: 1})):
            story.source = source
        for story, level in zip(stories, _spread(rng, len(stories), {Level.GROUP: 3, Level.VILLAGE: 4,
                                                                      Level.TOWNSHIP: 3})):
            story.level = level
        running = [s for s in stories if s.running]
        for story, light in zip(running, _spread(rng, len(running), {"green": 5, "yellow": 2, "red": 3})):
            story.light = light

    def _choose_disputes(self, stories: list[Story]) -> None:
        """Each story gets a dispute that fits where it goes (a referral to the police station
        is a fight or an injury, not a divorce), and the categories come out in about the
        shares a rural township sees."""
        rng = self.rng
        used, per_category = Counter(), Counter()
        weight = sum(CATEGORY_SHARES.values())

        def take(candidates) -> Dispute:
            def score(d):
                behind = CATEGORY_SHARES[d.category] / weight * len(stories) - per_category[d.category]
                return behind - 2 * used[d] + rng.random()
            dispute = max(candidates, key=score)
            used[dispute] += 1
            per_category[dispute.category] += 1
            return dispute

        def fits(story) -> list[Dispute]:
            if story.department is not None:
                return [d for d in DISPUTES if story.department in d.departments]
            if story.scenario in ("failed", "archived_after_failure") and rng.random() < 0.4:
                return [d for d in DISPUTES if d.category == "劳资纠纷"]  # guided to arbitration
            return DISPUTES

        # The stories that need a particular kind of dispute choose first.
        candidates = [(story, fits(story)) for story in stories]
        for story, fitting in sorted(candidates, key=lambda pair: len(pair[1])):
            story.dispute = take(fitting)

    def _cast(self, story: Story) -> None:
        """Parties, village and the words of the story."""
        rng, dispute = self.rng, story.dispute
        village = rng.choice(self.villages)
        group = rng.choice(village.groups)
        story.village, story.group = village, group
        family = rng.choice(SURNAMES)
        people = {}
        for letter in "abc":
            woman = letter in dispute.women or (letter not in "ab" and rng.random() < 0.4)
            surname = family if letter in dispute.kin else None
            born = (1940, 1955) if (dispute.kin and letter == "a") else (1955, 2002)
            people[letter] = _person(rng, woman=woman, surname=surname, born=born)
        text = {
            "a": people["a"]["name"], "b": people["b"]["name"], "c": people["c"]["name"],
            "v": village.name, "g": group.name, "town": self.tenant.name,
            "k": rng.randint(3, 12), "mu": rng.choice(SMALL_NUMBERS), "m": rng.choice(("0.4", "0.6", "0.8", "1.2")),
            "per": rng.randrange(*dispute.per) if dispute.per else "",
            "amount": rng.randrange(*dispute.amount) if dispute.amount else "",
        }
        text["focus"] = dispute.focus.format(**text)
        story.text = text
        roles = {"a": PartyRole.APPLICANT, "r": PartyRole.RESPONDENT, "t": PartyRole.THIRD_PARTY}
        for letter, person in zip("abc", dispute.roles):
            # The applicant lives in the group the case is about; the others mostly nearby.
            home, home_group = village, group
            if letter != "a" and rng.random() < 0.5:
                home = village if rng.random() < 0.7 else rng.choice(self.villages)
                home_group = rng.choice(home.groups)
            address = _address(rng, self.tenant.name, home, home_group)
            while any(p["address"] == address for p in story.parties):
                address = _address(rng, self.tenant.name, home, home_group)
            story.parties.append({**people[letter], "role": roles[person], "address": address})
        if len(story.parties) == 1:
            text["b"] = dispute.other

    def add_key_persons(self) -> None:
        """Three key persons under control measures, whom the cases that may escalate name."""
        existing = db.session.scalars(select(KeyPerson).where(KeyPerson.tenant_id == self.tenant.id)
                                      .order_by(KeyPerson.id)).all()
        if existing:
            self.key_persons = existing
            return
        rng = self.rng
        for kind in KEY_PERSON_KINDS:
            village = rng.choice(self.villages)
            person = _person(rng, woman=rng.random() < 0.3, born=(1955, 1985))
            self.key_persons.append(save_key_person(
                None, name=person["name"], kind=kind, village_id=village.id,
                measures=f"由{village.name}调委会主任每周走访一次，重要时间节点前当面谈心；发现异常动向立即报告"
                         f"{self.tenant.name}综治办和派出所。",
                responsible=f"{village.name}党总支书记", id_number=person["id_number"], phone=person["phone"]))

    # -- telling ----------------------------------------------------------------------------

    def tell(self, stories: list[Story]) -> None:
        """Every step of every story, in the order they happened across the township, each
        at its own moment: case numbers follow acceptance, and the timelines are true."""
        moments = sorted((moment, index, position)
                         for index, story in enumerate(stories) for position, moment in enumerate(story.times))
        for moment, index, position in moments:
            story = stories[index]
            _, step, options = story.plan.steps[position]
            if step == "session":
                following = story.plan.steps[position + 1][1] if position + 1 < len(story.plan.steps) else None
                options = {**options, "before": following}
            with clock_at(moment):
                getattr(self, "_do_" + step)(story, **options)

    def _f(self, story: Story, pattern: str) -> str:
        return pattern.format(**story.text)

    def _do_register(self, story: Story) -> None:
        d = story.dispute
        story.case = ops.register_case(
            self.tenant, self.staff["clerk"], title=self._f(story, d.title), source=story.source,
            category=self.categories.get(d.category), village=story.village, group=story.group,
            level=story.level, narrative=self._f(story, d.narrative), parties=story.parties)

    def _do_assess(self, story: Story) -> None:
        tags = [(kind, self._f(story, label)) for kind, label in story.dispute.tags]
        key_person_ids = []
        if story.risk == Risk.MAY_ESCALATE and self.key_persons and self.rng.random() < 0.5:
            key_person_ids = [self.rng.choice(self.key_persons).id]
            tags.append((TagKind.GROUP, "重点人员"))
        if story.risk == Risk.MAY_ESCALATE:
            tags.append((TagKind.ISSUE, "有激化苗头"))
        note = (f"经集中梳理、分析研判，定为{DIFFICULTY_ZH[story.difficulty]}纠纷，风险等级{RISK_ZH[story.risk]}，"
                f"限{self.settings.limit_days(story.difficulty.value)}日内办结。")
        ops.assess_case(story.case, self.staff["clerk"], difficulty=story.difficulty, risk=story.risk,
                        tags=tags, key_person_ids=key_person_ids, note=note)

    def _do_mediate(self, story: Story, self_assigned: bool = False) -> None:
        mediator = self.staff["mediator"]
        if self_assigned and story.case.state.value == "assessed":
            ops.start_mediation(story.case, mediator, assignee_id=mediator.user_id, note="调解员主动认领。")
        else:
            ops.start_mediation(story.case, self.staff["admin"], assignee_id=mediator.user_id,
                                note=f"指派调解员会同{story.text['v']}调委会调处。")

    def _do_session(self, story: Story, liaison: bool = False, before: str | None = None) -> None:
        """A session's record; what it says depends on what came of it (``before`` is the
        story's next step)."""
        rng, t, case = self.rng, story.text, story.case
        parties = "、".join(p["name"] for p in story.parties)
        if liaison:
            department = self.departments[D.POLICE_STATION].name
            ops.record_session(case, self.staff["police"], held_on=timelimits.today(), place=f"{department}调解室",
                               participants=f"{parties}（当事人）；{department}民警；{t['v']}调委会主任",
                               notes=f"民警分别询问双方，调取相关证据，就{t['focus']}释法说理，双方表示愿意继续协商。")
            return
        # Counted here: case.sessions is not updated by record_session within one session.
        held, story.sessions_held = story.sessions_held, story.sessions_held + 1
        progress = [
            f"分别听取{t['a']}、{t['b']}的陈述并查看现场，双方分歧主要在{t['focus']}，情绪较为激动，约定择日再调。",
            f"采取背对背方式分别做双方工作，讲清相关法律政策和村规民约，{t['b']}态度有所松动。",
            f"邀请{t['g']}组长、双方亲属和老党员参加，面对面协商{t['focus']}，双方初步形成一致意见。",
        ]
        notes = {
            "resolve": f"经反复释法说理、耐心疏导，双方就{t['focus']}达成一致意见，当场签订调解协议。",
            "fail": f"再次组织双方面对面协商，{t['b']}坚持原有意见，双方在{t['focus']}上分歧仍然较大，未能达成协议。",
            "escalate": f"双方对立情绪加剧，{t['a']}一方表示要到市里上访，调解员当场做稳控工作并向中心报告。",
        }.get(before) or progress[min(held, len(progress) - 1)]
        office = t["v"] + ("居委会" if t["v"].endswith("社区") else "村委会")
        place = rng.choice([f"{office}调解室", f"{t['town']}矛盾纠纷受理调处中心", f"{t['a']}家院坝",
                            f"{t['v']}{t['g']}活动室"])
        ops.record_session(case, self.staff["mediator"], held_on=timelimits.today(), place=place,
                           participants=f"{parties}（当事人）；调解员；{t['v']}调委会主任；{t['g']}组长",
                           notes=notes)

    def _do_resolve(self, story: Story) -> None:
        d, today = story.dispute, timelimits.today()
        amount = Decimal(story.text["amount"]) if d.amount else None
        ops.resolve_case(story.case, self.staff["mediator"], text=self._f(story, d.agreement), amount=amount,
                         perform_by=today + timedelta(days=self.rng.choice((10, 15, 30, 45))), signed_on=today)

    def _do_visit(self, story: Story, flare: bool = False, partial: bool = False) -> None:
        t, case = story.text, story.case
        visit = min((f for f in case.follow_ups if f.done_at is None), key=lambda f: f.due_on)
        if flare:
            notes = (f"回访时{t['a']}反映{t['b']}未按协议履行，双方又在村里发生争吵，纠纷有反弹迹象，"
                     f"重新启动调解。")
        elif partial:
            notes = f"协议已部分履行，{t['b']}承诺月底前履行完毕，双方关系基本缓和，继续跟踪。"
        else:
            notes = self.rng.choice([
                f"入户回访{t['a']}、{t['b']}，协议已按期履行，双方关系缓和，未发现反弹迹象。",
                f"电话回访{t['a']}并到现场查看，协议内容已落实，当事人对调解结果满意。",
                f"会同{t['g']}组长回访，协议履行到位，双方已恢复正常往来。",
            ])
        actor = self.staff["officer"] if self.rng.random() < 0.75 else self.staff["mediator"]
        ops.record_follow_up(case, actor, visit, carried_out=not (flare or partial), may_flare_up=flare, notes=notes)

    def _do_refer(self, story: Story) -> None:
        notes = {
            D.POLICE_STATION: "涉及治安因素，分流派出所依法处置并调解。",
            D.COURT: "当事人有诉讼意愿，分流人民法庭开展诉前调解。",
            D.JUDICIAL_OFFICE: "涉及较多法律问题，分流司法所调解。",
            D.PETITION_OFFICE: "当事人已多次信访，分流镇信访办协调处理。",
            D.GOVERNANCE_OFFICE: "涉及多个部门职责，分流镇综治办牵头协调。",
        }
        ops.refer_case(story.case, self.staff["admin"], department=self.departments[story.department],
                       note=notes[story.department])

    def _do_accept(self, story: Story) -> None:
        ops.accept_referral(story.case, self.staff["police"])

    def _do_complete(self, story: Story) -> None:
        t = story.text
        ops.complete_referral(story.case, self.staff["police"],
                              result=f"经派出所组织双方调解，{t['a']}与{t['b']}就{t['focus']}达成和解，"
                                     f"{self._f(story, story.dispute.agreement)}相关材料已移交调处中心。")

    def _do_return(self, story: Story) -> None:
        reason = self.rng.choice([
            "经调查不属于治安案件，系民事纠纷，退回中心调处。",
            "双方均不愿到派出所调解，退回中心由村调委会就地调处。",
            "涉及土地权属认定，非派出所职责范围，退回中心。",
        ])
        ops.return_referral(story.case, self.staff["police"], reason=reason)

    def _do_fail(self, story: Story, next_step: NextStep | None = None) -> None:
        t = story.text
        if next_step is None:
            next_step = NextStep.ARBITRATION if story.dispute.category == "劳资纠纷" else NextStep.LITIGATION
        notes = {
            NextStep.LITIGATION: f"经多次调解，{t['b']}坚持原有意见，双方对{t['focus']}分歧过大，调解不成；"
                                 f"已告知{t['a']}可向人民法庭起诉，并指引申请法律援助。",
            NextStep.ARBITRATION: f"{t['b']}否认拖欠，双方分歧过大，调解不成；已引导{t['a']}向劳动人事争议"
                                  f"仲裁委员会申请仲裁。",
            NextStep.ESCALATE: f"双方对{t['focus']}分歧过大，情绪对立，镇级调解未能达成协议，拟报请上级协调。",
        }
        ops.fail_case(story.case, self.staff["mediator"], next_step=next_step, note=notes[next_step])

    def _do_escalate(self, story: Story, target: EscalationTarget) -> None:
        case, t = story.case, story.text
        actor = self.staff["mediator"] if case.assignee_id == self.staff["mediator"].user_id else self.staff["admin"]
        note = {
            EscalationTarget.PARTY_COMMITTEE: f"双方在{t['focus']}上分歧尖锐、对立情绪明显，{t['a']}一方扬言"
                                              f"到市里上访，存在激化风险，报请镇党委、政府协调处置。",
            EscalationTarget.COUNTY_BUREAU: "涉及跨乡镇权属和政策把握问题，镇级难以调处，报请市司法局指导。",
        }[target]
        ops.escalate_case(case, actor, target=target, note=note)

    def _do_resume(self, story: Story) -> None:
        ops.resume_case(story.case, self.staff["admin"], assignee_id=self.staff["mediator"].user_id,
                        note="镇党委专题研究后明确了处置意见，交回调处中心继续调解。")

    def _do_close(self, story: Story) -> None:
        state = story.case.state.value
        note = {"follow_up": "回访完毕，协议履行到位，予以结案。",
                "failed": "已引导当事人通过法律途径解决，予以结案。",
                "escalated": "经镇党委、政府协调处理完毕，予以结案。"}[state]
        ops.close_case(story.case, self.staff["admin"], note=note)

    def _do_archive(self, story: Story) -> None:
        ops.archive_case(story.case, self.staff["admin"])


def seed_cases(tenant) -> int:
    """About sixty cases for ``tenant``, unless it has any case already. Returns how many."""
    with tenant_scope(tenant.id):
        if db.session.scalar(select(Case.id).where(Case.tenant_id == tenant.id).limit(1)) is not None:
            return 0
        township = _Township(tenant)
        township.add_key_persons()
        stories = township.plan()
        township.tell(stories)
        db.session.flush()
        return len(stories)
