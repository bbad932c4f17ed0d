"""Rule-based emergency detection: high recall for danger now, not fooled by the same words in
harmless sentences ("I fell asleep", "上次摔倒的补贴").

Pure Python with no dependencies: the Rasa pipeline (engine venv) and the hub (app venv) both
run it on every message before any model.

How a message is read:

1. ``_normalise``: NFKC, lower case, common traditional characters to simplified, spoken
   numbers to digits (一二零/幺二零 -> 120) and frequent typos ("hlep" -> "help").
2. ``_MASKS``: harmless phrases that contain danger words ("救命稻草", "fell asleep", "save me a
   seat", "my phone fell", "emergency button") are blanked out, so nothing below can match them.
3. ``_STRONG`` patterns say danger now ("喘不上气", "can't breathe"). They count unless the words
   around them say it is a story ("电视里", "in his game"), a hypothesis ("万一", "what if"),
   long ago ("五年前") or a past event asked about for money or a cancellation
   ("去年摔倒了起不来 有补贴吗").
4. ``_WEAK`` patterns are often danger ("摔倒了", "she collapsed", "help me") but also appear in
   harmless sentences: they count unless the words around them give a harmless reading (a past
   event, a subsidy question, a talk, a cancellation, a service request).
5. Words that say it is happening now ("刚才", "快来", "right now", "hurry") override 3 and 4.

"Around" is a window of characters either side of the match rather than a sentence, because
speech recognition gives no punctuation. Chinese patterns only run on text with Chinese
characters and English ones on text with Latin letters.

When in doubt the rules prefer a false alarm: it costs a consultant a minute, a miss can cost a
life.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Longer messages keep their beginning and their end (where "…anyway she's on the floor, help"
# tends to be); the middle of a very long paste is not read.
_HEAD, _TAIL = 6000, 2000
# Characters either side of a match in which its context (past, subsidy, now...) is looked for.
_BEFORE, _AFTER = 60, 80


def _either(a: str, b: str, gap: int = 60) -> str:
    """A pattern for `a` and `b` both present (either order) at most `gap` characters apart."""
    return rf"(?:{a}).{{0,{gap}}}(?:{b})|(?:{b}).{{0,{gap}}}(?:{a})"


# People an elder or a family member talks about (Chinese), for "<who>不见了", "<who>不行了".
_WHO = (r"(?:我|俺|咱|他|她|人|老人|老人家|老伴|老头|老太|老婆|老公|老爷子|老太太|爸|妈|爹|娘|"
        r"爷爷|奶奶|外婆|外公|姥姥|姥爷|婆婆|公公|老汉|母亲|父亲|邻居|阿婆|阿公|大爷|大娘)")
# The same in English, for "<who> falls".
_WHO_EN = (r"(?:i|he|she|they|we|mum|mom|mother|mam|ma|dad|father|papa|husband|wife|partner|"
           r"nan|nana|gran|granny|grandma|grandmother|grandpa|grandad|granddad|grandfather|"
           r"neighbou?r|aunt|uncle|auntie|brother|sister|son|daughter)")

# ---------------------------------------------------------------------------------------------
# Harmless phrases that contain danger words. Blanked out before any danger pattern is tried.
# ---------------------------------------------------------------------------------------------
# Fire said not to be there ("没着火", "it's not a fire"): masked below, and with nothing said to
# be happening now the classifier's "emergency" is not believed either (told_as_over).
_FIRE_DENIED_ZH = r"没(?:有)?(?:着火|起火|失火)|不是(?:着火|起火|失火)"
_FIRE_DENIED_EN = r"\bno fire\b|\bnot (?:a|on) fire\b|\bisn't a fire\b|\bnothing(?:'s| is) on fire\b"

_HARMLESS_USES = [
    # Idioms with 救命 / 死: a last straw, money that saves a life, "hot to death".
    r"[救就]命(?:稻草|钱|恩人|之恩|的钱)",
    r"(?:笑|热|冷|累|饿|困|烦|气|忙|吵|无聊|痒|丑|高兴|开心|馋|想|美|懒|穷|贵)(?:得|的)?(?:要)?死(?:了|人|我)?",
    # Things, not people, that fall, break, go dead or stop reacting.
    r"(?:手机|电话|碗|杯子|盘子|眼镜|助听器|假牙|遥控器|花瓶|碗筷|镜子|相框|钥匙|东西|电视|电脑|屏幕|"
    r"按钮|机器|网页|系统|软件|微信|车|电动车|自行车)(?:给|被|又|都|也|还是|一直)?(?:摔|掉|跌|没(?:有)?反应|不动了|动不了)",
    r"(?:股票|基金|价格|价钱|房价|菜价|猪肉|鸡蛋|成绩|温度|气温|水位)(?:又|都|也|一下)?(?:跌|摔|掉)",
    r"(?:轮胎|车胎|气球|煤气罐|液化气罐|罐子|电动车|自行车)(?:都|也|又)?没气",
    r"(?:猫|狗|鸡|鸭|鸟|宠物|羊|牛)(?:又|也)?(?:走丢|丢|跑丢|不见)|(?:家|的|养的)(?:小)?(?:猫|狗|猫咪|狗狗|鹦鹉|八哥|鸟|兔子|鸡|鸭)(?:(?!我|俺|咱|他|她|人|妈|爸|爹|娘|爷|奶|婆|公|老伴|老头|老太)[^。！？!?]){0,12}(?:摔|跌|站不起|走不动|中毒|噎|卡住|被车撞|滚下|流(?:了)?(?:好多|很多|一地)?(?:的)?血)(?:跤|倒|了)?|学(?:习)?急救|[会懂]急救|急救(?:手环|手表|设备|按钮|呼叫器?)|(?:是|这是)(?:不是)?急救中心|是(?:不是)?急救电话|急救电话(?:是|多少|号码)",
    r"倒地铁|倒霉|倒车|倒(?:班|时差)|饭卡",
    # Devices and services named after a danger: 跌倒检测, 摔倒报警手环, 急救热线, 海姆立克急救法.
    r"(?:摔倒|跌倒|走失)(?:检测|报警|监测|感应|预警|探测)|急救(?:热线|法|站|服务|车(?:的)?(?:费用|收费|多少钱))|海姆立克|一氧化碳(?:报警器|检测|探测|监测)",
    # Figures of speech: 热得我快要死了, 腿都要断了.
    r"(?:笑|热|冷|累|饿|困|烦|气|吵|晒|冻|挤|忙)(?:得|的)(?:我|俺|人|咱)?(?:都)?(?:快)?(?:要)?死(?:了|人)?|(?:腿|腰|脚|胳膊)都(?:快)?要断了",
    r"(?:吵|烦|气|急|闷|憋|逼|折腾|愁)(?:得|的)(?:我|俺|人|咱)?(?:都)?(?:快)?(?:要)?(?:发)?疯(?:了|掉)?",
    # Hot food: 辣得嘴巴都着火了, 舌头要冒火.
    r"(?:嘴|嘴巴|嘴里|舌头|喉咙|嗓子)(?:里)?(?:都|要|快|像)?(?:要)?(?:着火|冒火|起火|喷火|烧起来)(?:了|一样|似的)?",
    # Names of services and devices, not events: 急救箱, 紧急联系人, 防走失手环, 一键呼叫.
    r"急救(?:箱|包|知识|培训|课|证|常识|技能|演练|措施|方法|中心的?电话|电话是)",
    r"紧急(?:联系人|呼叫(?:器|按钮|设备)?|按钮|求助(?:器|按钮|设备)|救援电话)|一键呼叫|防走失|防摔|防跌",
    r"防(?:止)?(?:中风|脑梗|心梗|脑溢血|脑出血|摔倒|跌倒|摔跤|走失|走丢|一氧化碳中毒|煤气中毒|中毒|着火|火灾|噎)",
    # "120 is the ambulance or the fire brigade?": which number is which, asked to remember it.
    r"(?:120|119|110)(?:到底)?是(?:不是)?(?:急救|救护车|火警|报警)[^。！？!? ]{0,6}(?:还是|吗|么|呢|啊)|急救还是火警|火警还是急救",
    r"sos\s?(?:键|按钮|按键|手环|手表|呼叫器|报警器|功能|设备|服务)",
    r"\bsos\s+(?:call\s+)?(?:buttons?|pendants?|alarms?|watch(?:es)?|bracelets?|devices?|phones?|keys?|cards?|"
    r"functions?|features?|services?|lanyards?|necklaces?)\b",
    # English: falling asleep/behind/in love, things that fall or drop.
    r"\b(?:fell|fallen|falls?|falling)\s+(?:asleep|behind|in love|out with|apart|through|short|silent|"
    r"for (?:it|that|him|her|the)|into (?:a|the) habit)\b",
    r"\b(?:in|this|next|last|the) fall\b(?!\s+(?:down|over|off))",
    r"\b(?:phone|mobile|hearing aids?|glasses|specs|spectacles|dentures|false teeth|teeth|tooth|"
    r"filling|crown|cup|mug|plate|glass|vase|picture|frame|shelf|branch|fence|keys?|wallet|purse|"
    r"pen|book|remote|lid|button|tile|cable|plug|prices?|rates?|pension|temperatures?|leaves|rain|"
    r"snow|curtains?|blinds?|clock|mirror|shares|stocks?|market|wig|hat|bin|parcel|letter|"
    r"card|stuff|something|app|website|site|page|screen|computer|tv|telly|system|line|bus|"
    r"traffic|queue|car|lift|machine|printer)\s+(?:has\s+|have\s+|had\s+|just\s+|'s\s+|is\s+|keeps\s+)?"
    r"(?:fell|fallen|falls|falling|dropped|broke|broken|collapsed|died|dead|"
    r"(?:still\s+)?(?:not|isn't|won't|wasn't)\s+(?:responding|moving|working|waking up))\b"
    r"(?!\s+on\s+(?:top of\s+)?(?:me|him|her|them|my|his))",
    r"\b(?:cat|dog|kitten|puppy|bird|parrot|budgie)\s+(?:has\s+|just\s+|'s\s+)?(?:fell|fallen|fall|falls|collapsed|choking|stuck)\b",
    r"\b(?:cat|cats|dog|dogs|kitten|puppy|bird|parrot|budgie|hamster|rabbit|pony|horse|hen|chicken|pet)(?:'s)?\s+"
    r"(?:(?!i\b|i'm\b|he\b|she\b|him\b|her\b|me\b|mum\b|mom\b|dad\b|my\s+(?:mum|mom|dad|wife|husband))[\w',]+\s+){0,8}"
    r"(?:fell|fallen|bleeding|bled|gone missing|went missing|missing|stunned|won't get up|hit by a car)\b",
    r"\b(?:price|prices|cost|rate|rates|value|number|temperature)\s+of\s+\w+\s+(?:has\s+|have\s+)?(?:fallen|fell|dropped)\b",
    # "that bill nearly gave me a heart attack", "prices that would give anyone a stroke".
    r"\b(?:nearly|almost|practically|near enough|enough to|would|could|'d|will|gonna|going to)\s+(?:give|gave|given)\s+"
    r"(?:me|you|anyone|anybody|him|her|us|them|someone|somebody|everyone|a (?:saint|person))\s+(?:a\s+)?(?:heart attack|stroke|coronary|fit)\b",
    r"\b(?:nearly|almost|practically)\s+(?:had|have|having)\s+a\s+(?:heart attack|stroke|coronary|fit)\b",
    r"\b(?:mouth|tongue|throat)\s+(?:is\s+|was\s+|'s\s+)?on fire\b",
    r"\bchoking\s+(?:first aid|hazards?|risks?|prevention|course|class|workshop|training)\b|\bfirst aid\s+for\s+choking\b|"
    r"\bcarbon monoxide\s+(?:detectors?|alarms?|monitors?|sensors?)\b(?!\s+(?:is\s+|'s\s+|are\s+)?(?:going off|ringing|sounding|beeping))",
    r"\b(?:stroke|falls?)\s+(?:check[- ]?ups?|checks?|screening|clinics?|units?|wards?|nurses?|rehab\w*|recovery|prevention|risks?|"
    r"assessments?|sensors?|detectors?|awareness|services?|support)\b",
    # "dying for a cup of tea", "save me a seat", "this traffic is killing me".
    r"\bdying\s+(?:for|to|of (?:laughter|boredom|curiosity|embarrassment|shame))\b",
    r"\bsave\s+(?:me|us)\s+(?:a|an|some|the|my|one|two|three|\d+|any|time|money|trouble|a trip)\b",
    r"\b(?:traffic|noise|heat|wait|waiting|queue|suspense|boredom|weather|prices?)\s+(?:is|are|'s)\s+killing\s+me\b",
    # Devices and services named "emergency", "fire", "help" ...; saying it is not urgent.
    r"\bemergency\s+(?:call\s+|alarm\s+|panic\s+)?(?:buttons?|contacts?|numbers?|pendants?|alarms?|cords?|"
    r"fund|services?|plan|kit|card|line|exit|department|room|ward|bracelet|device|phone|"
    r"dentist|appointment|supplies)\b",
    r"\bin\s+(?:an|case of(?: an)?|the event of(?: an)?)\s+emergency\b",
    r"\b(?:fire|smoke)\s+(?:alarms?|detectors?)\b(?!\s+(?:is\s+|'s\s+|are\s+)?(?:going off|ringing|sounding))",
    r"\bfire\s+(?:drill|safety|doors?|extinguishers?|station|service|brigade|insurance|exit)\b",
    r"\b(?:heat|swimming|breast|back|brush)\s*stroke\b|\bstrokes?\s+(?:of\s+(?:luck|genius|midnight)|"
    r"(?:the|his|her|my)\s+(?:cat|dog|hair|kitten|puppy))\b",
    r"\b(?:help\s*desk|helpline|help line|home help|helpful|helper|help-desk)\b",
    r"\b(?:pendant|alarm|phone|remote|glasses|keys|book|bag|cup|food|rug|mat|toy|towel|clothes|paper|letter|pills?|tablets?|it|that|this)\s+"
    r"(?:is|'s|are|was|were|fell|fallen|dropped)\s+on\s+the\s+(?:floor|ground)\b",
    r"\b(?:choir|team|band|singers?|players|sales)\s+(?:is\s+|are\s+|was\s+|were\s+)?on fire\b",
    r"\b(?:carer|nurse|volunteer|helper|doctor|teacher|coach|instructor|staff|singer|player|cook|chef)s?\b[^.?!,]{0,20}?\s+"
    r"(?:is|'s|was|are|were)\s+on fire\b(?=[,.!\s]+(?:[\w']+\s+){0,3}(?:brilliant|great|amazing|fantastic|excellent|wonderful|a star|so good)\b)",
    r"\b(?:glasses|specs|spectacles|dentures|phone|cup|plate|vase|mug|teapot)\b[^.?!]{0,25}\b(?:they|it)\s+(?:broke|smashed|cracked)\b",
    r"\b(?:respond|responds|response|answer|answers|handle|handles)\s+(?:to\s+)?(?:an?\s+|the\s+)?emergency\s+calls?\b|"
    r"\b(?:can|could|does|do|will|would)\s+(?:your|the)\s+(?:\w+\s+)?(?:service|team|centre|center|pendant|system|staff|helpline)\s+"
    r"(?:\w+\s+){0,2}(?:call|ring|phone|send)\s+(?:for\s+)?(?:an?\s+)?ambulance\b|\b(?:you|them|us)\s+or\s+the\s+ambulance\b|"
    r"\b(?:come|came|coming|got|get|been|being)\s+(?:back\s+)?home\s+(?:from\s+(?:the\s+)?hospital\s+)?(?:after|following)\s+"
    r"(?:a|an|his|her|my|the)\s+(?:heart attack|stroke|fall|operation|op)\b",
    r"\b(?:retired|former|ex-?|trainee|volunteer)\s+(?:paramedic|nurse|doctor|firefighter|fireman)s?\b",
    r"\bchoking\s+hazard\b",
]

# Saying it is no joke, not urgent, or did not happen. These are masked like the harmless uses above
# (so "我不是开玩笑" does not read as a joke, "no need to send an ambulance" not as a call for one),
# but they say nothing about whether the rest of the message is harmless: "I'm not kidding,
# something is really wrong with dad" must keep the classifier's emergency.
_DENIALS = [
    r"不是(?:什么)?(?:急事|紧急|急救|要紧|大事)|不(?:用|要|太)?(?:着)?急|没(?:那么|啥|什么)急",
    r"不是(?:在)?(?:开|说)玩笑|没(?:有|在)?(?:开|说)玩笑|不开玩笑|没(?:有)?(?:摔倒|摔跤|跌倒|晕倒)",
    r"\b(?:(?:i'm|i am|we're|he's|she's)\s+)?(?:not|no|isn't|wasn't|am not)\s+(?:joking|kidding)\b|\bno joke\b",
    r"\b(?:not|isn't|wasn't|no)\s+(?:really\s+)?(?:an?\s+)?(?:real\s+)?(?:emergency|urgent)\b|\bnon[- ]urgent\b",
    r"\b(?:don't|do not|no need to|not to)\s+(?:send|call|get)\s+(?:an?\s+)?(?:ambulance|help|anyone|someone)\b|\bno need to send\b",
    r"\b(?:not|no)\s+(?:in\s+)?(?:a\s+)?(?:hurry|rush)\b|\bno\s+(?:hurry|rush)\b|\bby accident\b",
    _FIRE_DENIED_ZH,
    _FIRE_DENIED_EN,
]
_MASKS = _HARMLESS_USES + _DENIALS

# ---------------------------------------------------------------------------------------------
# STRONG: danger now. Counts unless the context says story / hypothesis / long ago / a past
# event asked about.
# ---------------------------------------------------------------------------------------------
_STRONG = [
    # --- Calls for help: 救命 (就命/舅命 from speech recognition), 救救我, 快来人, SOS, "help!".
    r"[救舅揪]命(?!药|的药)|就命(?![令运中名药])",
    r"救救(?:我|俺|他|她|人|咱|" + _WHO + r")?|快(?:来|点)?救(?:人|命|我|俺|他|她)|求救|救我",
    r"快来人|来人(?:啊|呀|哪|嘞|哇|救)|快来救|快来帮|快点来(?:啊|呀|哇)?|求求你们?快",
    r"紧急情况|情况(?:很|好|特别)?紧急|好紧急|很紧急",
    r"(?<![a-z])s\s?o\s?s(?![a-z])|\bmayday\b",
    # a message that is nothing but a cry for help: "help", "help help", "pls help fast", "get help quick"
    r"^\W*(?:(?:please|pls|plz|someone|somebody|anyone|anybody|quick|quickly|fast|now|hurry|urgent|get|send|call|"
    r"oh|god|lord|me|us|i|need|emergency|sos)\W+)*help(?:\W+(?:help|me|us|please|pls|plz|now|quick|"
    r"quickly|fast|hurry|someone|somebody|anyone|anybody|urgent|urgently|asap|emergency|sos))*\W*$",
    r"\bhelp\s*(?:me|us|him|her)?\s*!",
    r"\b(?:somebody|someone|anybody|anyone)\s+(?:please\s+)?help(?:\s+(?:me|us|him|her))?(?:\s*(?:!|$|,|\.)|\s+please)",
    r"\b(?:please|pls|plz)\s+help\b[^?]{0,25}\b(?:quick|quickly|fast|now|hurry|urgent|asap|immediately)\b",
    r"\b(?:urgent|hurry|quick)\b[^?]{0,15}\bhelp\b",
    r"\bsend\s+help\b|\b(?:get|fetch|need)\s+help\s+(?:quick|quickly|now|fast|urgently|asap)\b",
    r"\b(?:i|we)\s+need\s+help\s+(?:now|quick|quickly|urgently|fast|asap|right now)\b",
    r"\b(?:it's|this is|we have|there's|i have|i've got|got)\s+an?\s+(?:real\s+)?emergency\b",
    r"\bemergency\s*!|^\W*(?:it's\s+an?\s+)?emergency\W*$",
    r"\b(?:please\s+)?(?:come|get here|hurry)\s+(?:quick|quickly|fast|now|right now|please)\b",
    # --- Ambulance / 120 / a doctor now ("how to call an ambulance" is a question, not an order; a
    #     message that is only "120" or "幺二零" counts, "my flat is 120" does not).
    r"(?:快|赶紧|马上|立刻|赶快|帮我|帮忙|给我|麻烦|请)(?:点|你|你们)?(?:叫|打|喊|拨|派|找)(?:个|一个|一下|辆|一辆)?(?:救护车|120|急救)",
    r"救护车(?:怎么|咋)?(?:还没|快|赶紧)(?:来|到)?|(?:已经)?(?:叫|打)了(?:救护车|120)",
    r"(?<!\bto )(?<!\bhow )(?<!\bwhen )(?<!\bwhether to )\b(?:call|get|send|need|want|ring|phone|dial|fetch)"
    r"(?:\s+(?:for|me|us|him|her))?\s+(?:an?|and|the|me an?)?\s*(?:ambulance|paramedics?|999|911|112|120|emergency services)\b",
    r"\bambulance\b[^.?!]{0,20}\b(?:now|quick|quickly|asap|urgent|urgently|fast|immediately|please)\b",
    r"^\W*ambulance\W*(?:please|pls|now|quick|quickly)?\W*$|\b(?:120|999|911|112)\s+(?:please|now|quick)\b|^\W*(?:(?:120|999|911)\W*)+$",
    r"\b(?:get|call|send|need)\s+(?:a|the)\s+(?:doctor|nurse|paramedic)s?\b[^.?!]{0,15}\b(?:now|quick|quickly|urgently|asap|right away|immediately)\b",
    r"\bsend\s+(?:someone|somebody|help|a person|people)\b[^?]{0,40}\b(?:now|quick|quickly|urgent|urgently|asap|right away|immediately|hurry)\b",
    # --- Falls: cannot get up, lying on the floor, fell from a height, hit the head.
    r"(?:摔|跌|滑|绊|栽|倒)[^。！？!?]{0,10}(?:起不来|爬不起|站不起|动不了|不能动|流血|出血|骨折|断了|晕|不动|没反应|叫不醒|没气|起唔到)",
    r"(?:起不来|爬不起来?|站不起来|动不了|不能动|动弹不得|挪不动)(?:床)?(?:了|啦|咯|嘞|呀|啊)",
    r"(?:倒|躺|趴|瘫|摔|跌)(?:在)?(?:地上|地下|地板|厕所|卫生间|浴室|厨房|院子|门口|路边|楼道|床下|楼梯)|倒地(?!铁)|人(?:突然)?倒了",
    r"(?:倒|瘫)在[^。！？!? ]{1,6}?(?:上|里|边|旁|下|口|前|后)(?:了|啦|起不来|不动|没)|(?:一头)?栽倒(?:了|在)|倒下(?:了)?不动|滚下(?:来|去)了",
    r"掉(?:到|进|在|下)?(?:了)?(?:沟|河|水|井|坑|池塘|粪坑|田)|从(?:床|楼梯|梯子|椅子|凳子|楼上|台阶|屋顶|房顶|车|轮椅|沙发|马桶|自行车|电动车|三轮车?)上?(?:摔|掉|跌|滚)",
    r"(?:摔|磕|撞|碰)(?:到|破|伤|了|着)(?:了)?(?:头|脑袋|后脑勺|脑壳)|(?:摔|跌)(?:断|骨折)(?!过)",
    r"(?:浴缸|澡盆|浴盆|厕所|卫生间|马桶)(?:里)?(?:出不来|起不来)",
    r"(?:在|倒在|躺在)(?:地上|地下|地板)(?:上)?(?:躺着|趴着|坐着)?[^。！？!?]{0,4}(?:起不来|爬不起|动不了|站不起)|起唔到身|起唔嚟",
    r"\b(?:can't|cannot|can not|cant|unable to)\s+(?:get up|stand up|get back up|get (?:off|up off) the (?:floor|ground)|"
    r"get (?:myself|him|her) up|pick (?:myself|him|her) up)\b"
    r"(?!\s+(?:(?:the|those|these|any|my|our)\s+)?(?:stairs|steps|hills?|early|in the morning|that early|to\b|for\b))",
    r"(?:\b(?:i'm|im|i am|he's|she's|he is|she is|they're|is|are|lying|laying|lay|lies|stuck|sitting|been|still|"
    r"collapsed|fell|fallen|down|found)|'s|'re)(?:\s+\w+){0,2}\s+(?:on|onto)\s+the\s+"
    r"(?!(?:ground|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\w+teenth|twentieth|top|bottom|upper|lower|same|\d+\w*)\s+floor)(?:\w+\s+)?(?:floor|ground)\b(?!\s+(?:below|above|under|beneath|floor))",
    r"\b(?:dropped|slumped|collapsed|crumpled)\s+(?:to|on|onto)\s+the\s+(?:floor|ground)\b",
    r"\b(?:lying|collapsed|lies|fallen|fell)\s+(?:in|on)\s+the\s+(?:street|road|pavement|path|car park|stairs|garden|yard|"
    r"bath|hallway|hall|corridor|snow|cold|landing|toilet)\b",
    r"\b(?:lying|collapsed|fallen|fell|found (?:him|her)|is|she's|he's)\s+at the (?:bottom|foot) of the stairs\b",
    r"\b(?:fall|fell|fallen|falling|had a fall|slipped|tripped|collapsed)\b[^.?!]{0,40}\b(?:can't|cannot|unable to|"
    r"won't|isn't|not)\s+(?:get up|move|stand|walk|breathe|wake|moving|responding|breathing|talking)",
    r"\b(?:fell|fallen|fall|falling)\s+(?:down|over|off|out of|from|through|into)\b[^.?!]{0,25}\b(?:stairs|steps|"
    r"ladder|bed|chair|roof|bath|tub|window|ditch|river|pond|balcony|wheelchair)",
    r"\b(?:hit|banged|cracked|bumped|split)\s+(?:his|her|my|their)\s+head\b",
    r"\b(?:can't|cannot|can not|cant|unable to)\s+move\b(?!\s+(?:the|a|an|this|that|it|them|house|home|flat|in|out|"
    r"to|into|anywhere|my (?:furniture|bed|car|wardrobe|sofa|things|stuff)))",
    r"\bstuck\s+in\s+(?:the\s+)?(?:bath|bathtub|tub|toilet|lift|elevator|shower)\b|\b(?:can't|cannot)\s+get\s+out\s+of\s+(?:the\s+)?(?:bath|bathtub|tub)\b",
    r"\b(?:going to|gonna|about to)\s+(?:fall|faint|pass out|collapse|black out)\b",
    # --- Chest pain, heart trouble (胸口通 is speech recognition for 胸口痛; "chess pain" is typing).
    r"(?:胸口|心口|胸部|心脏|心窝)[^。！？!? ]{0,6}(?:疼|痛|通|闷|绞|压|堵|憋|发紧|难受|揪|刀割|刀扎|针扎|撕)",
    r"(?:胸口|心口|胸部|胸|心脏|心窝)(?:这里|这块|那里|这儿)?(?:突然|好|很|特别|非常|有点|一阵|一直|老是|像|又|都)?"
    r"(?:一阵|被|有|是)?(?:疼|痛|通|闷|绞|压|堵|憋|发紧|难受|不舒服|揪)",
    r"心脏病(?:又)?(?:犯|发作|发)了?|骤停|猝死|心跳(?:停|没)了|(?:没|没有)(?:了)?心跳"
    r"|(?:心脏|心口)(?:好像|有点)?不对劲[^。！？!?]{0,6}(?:快|赶紧|马上)",
    r"心(?:脏)?跳(?:得)?(?:好|很|特别|太)(?:快|乱|厉害)|心(?:跳)?(?:好|很|特别|突然)?(?:快|乱|慌)(?:得)?(?:不行|厉害|受不了)",
    r"\b(?:chest|chess|ches|chesst|chect)\b[^.?!]{0,15}\b(?:pain|pains|hurts?|hurting|ache|aches|aching|tight|"
    r"tightness|pressure|heavy|heaviness|crushing|squeezing|killing)",
    r"\b(?:pain|pains|ache|pressure|tightness|hurts?|hurting|crushing|squeezing)\b[^.?!]{0,12}\b(?:in|across|on)\s+"
    r"(?:my|his|her|the)\s+(?:chest|chess|heart)\b",
    r"\b(?:having|having an?|is having)\s+(?:a\s+)?heart attack\b|\bcardiac arrest\b",
    r"\b(?:clutching|clutched|holding|grabbing|grabbed)\s+(?:his|her|my|at)\s+(?:chest|heart)\b|\bslumped\s+(?:over|down|forward)\b|\bheart\b[^.?!]{0,15}\b(?:going to|gonna|about to|is going to)\s+stop\b",
    r"\bheart\s+(?:is\s+)?(?:racing|pounding|hammering|beating (?:so |really |very )?(?:fast|hard)|stopped|skipping)\b",
    # --- Breathing trouble, choking on air, allergic swelling ("can't breed", "can't breath").
    r"喘不(?:上|过|来|动|了|出|赢|匀)|(?:上|透)不(?:过|上|来|到)(?:气|起)|气(?:都|也)?(?:喘|上|透|出)不(?:上|过|来|匀|动)",
    r"呼吸(?:好|很|特别|突然)?(?:困难|不上|不了|不过来|不畅|急促|停|没了|很弱|微弱)|(?:没|没有|没了|不)(?:了)?(?:呼吸|喘气|出气)(?:了)?",
    r"没气(?:儿)?了|(?:脸|嘴唇|嘴|嘴巴|手指|指甲)(?:都|也|已经)?(?:发)?(?:紫|青|乌)(?:了)|哮喘(?:又)?(?:犯|发作)",
    r"(?:喉咙|嗓子|舌头|嘴唇|脸)(?:都)?(?:肿|肿起来)了|过敏[^。！？!?]{0,8}(?:喘|肿|晕|呼吸)",
    r"\b(?:can't|cannot|can not|cant|unable to|struggling to|hard to|difficult to|trouble|difficulty|problems?)\s*"
    r"(?:breathe|breath|breeth|brethe|breed|breathing|get (?:my|his|her|a) breath|catch (?:my|his|her) breath)\b",
    r"\b(?:not|isn't|stopped|stop|no longer|wasn't|is not)\s+breathing\b|\b(?:struggling|fighting|gasping)\s+for\s+(?:breath|air)\b|\bcan't\s+get\s+(?:any\s+)?air\b",
    r"\b(?:turning|turned|gone|going|lips (?:are|is|look|have gone))\s+(?:all\s+)?(?:blue|purple|grey|gray)\b|\basthma attack\b",
    r"\b(?:throat|tongue|face|lips|mouth)(?:\s+is|\s+are|'s)?\s+(?:swelling|swollen|closing)\b|\banaphyla\w*",
    # --- Stroke signs: face drooping, slurred speech, one side weak, sudden loss.
    r"(?:好像|可能|怕是|是不是|估计|突然|刚刚|刚才)(?:是|又)?(?:中风|脑梗|脑溢血|脑出血|卒中)",
    r"(?:嘴|嘴巴|脸|嘴角|口眼|眼睛)(?:突然|有点|都|也|一下)?(?:歪|斜|耷拉)|歪嘴",
    r"半边(?:身子|身体|脸|身)?(?:都|也)?(?:突然)?(?:麻|发麻|木|不能动|动不了|没劲|没力|没知觉|不听使唤|瘫)",
    r"(?:一边|一侧|左边|右边|左半边|右半边|半边)(?:的)?(?:手|脚|腿|胳膊|手脚|身子|脸)(?:突然|都|也)?(?:没劲|没力|动不了|不能动|麻|抬不起|不听使唤)",
    r"[左右](?:手|脚|腿|胳膊|半身|边)[^。！？!? ]{0,4}(?:没力|没劲|动不了|不能动|麻|抬不起|不听使唤)",
    r"(?:手脚|胳膊|腿|手)(?:突然|一下子)(?:没劲|没力|发软|不听使唤|麻|动不了|抬不起)",
    r"突然(?:间)?(?:看不见|看不清|说不出|讲不出|不会说|不说话|站不稳|走不了|糊涂|不认人|认不得人|不认得人|倒|晕|没劲|说话不清|讲话不清)",
    r"\b(?:having|is having)\s+a\s+(?:stroke|mini[- ]?stroke)\b",
    r"\b(?:face|mouth|smile|lip|eye)\b[^.?!]{0,20}\b(?:droop|drooping|droopy|droops|dropped|lopsided|crooked|twisted|slack)",
    r"\b(?:drooping|droopy|lopsided|crooked)\s+(?:face|mouth|smile)\b",
    r"\bslurr(?:ed|ing)\b|\bspeech\s+(?:is\s+|went\s+|has gone\s+|sounds\s+|gone\s+)?(?:all\s+)?(?:slurred|funny|strange|garbled|weird)\b",
    r"\btalking\s+(?:funny|gibberish|nonsense|rubbish)\b",
    r"\b(?:arm|arms|leg|legs|side|face|hand)\s+(?:has\s+|is\s+|'s\s+|have\s+)?(?:gone|went|going|is|are|feels?)\s+(?:all\s+)?(?:floppy|limp|numb|dead|weak|droopy)\b",
    r"\b(?:one side|left side|right side|half (?:of )?(?:his|her|my) (?:body|face))\b[^.?!]{0,20}\b(?:weak|numb|limp|"
    r"dead|droop|drooping|won't move|can't move|paralysed|paralyzed|gone)",
    r"\b(?:numb|weak|paralysed|paralyzed)\s+(?:on\s+)?(?:one|the left|the right)\s+side\b",
    r"\b(?:can't|cannot|unable to)\s+(?:lift|raise|move|feel)\s+(?:his|her|my)\s+(?:arm|arms|leg|legs|hand|left|right)\b",
    r"\bsudden(?:ly)?\s+(?:confused|confusion|can't see|blind|numb|weak|can't (?:talk|speak|walk))",
    # --- Fainting, unresponsive, seizures, very dizzy.
    r"(?:晕|昏)(?:倒|过去|了过去|死过去|厥|迷)|不省人事|人事不省|晕低|抽(?:了)?过去了",
    r"(?:叫|喊|摇|拍)(?:他|她|人|了半天|半天|好久|几声)?(?:都|也)?(?:叫|喊)?(?:不|没)(?:醒|清醒|应|答应|回应|反应)",
    r"没(?:有)?(?:了)?(?:任何)?反应(?:了)?|一动不动|(?:人|他|她)(?:已经|突然)?不动了",
    r"抽搐|抽风|抽起来了|口吐白沫|吐白沫|翻白眼|癫痫(?:发作|犯)|羊(?:癫|角)疯",
    _WHO + r"(?:快|就|好像|可能|怕是|要|已经|真的|是不是)?不行了|快不行了",
    r"(?:头)?(?:晕|昏)(?:得|的)(?:不行|厉害|站不住|要倒|受不了|天旋地转)|天旋地转|眼前(?:一)?(?:发)?黑",
    r"(?:要|快)晕(?:了|过去|倒)|要(?:晕)?倒了|站都站不稳|站不住了",
    r"\b(?:unconscious|unresponsive|keeled over|out cold)\b|\b(?:gone|went|is|has gone)\s+(?:all\s+)?(?:floppy|limp)\b",
    r"\bwon't\s+(?:respond|answer me)\b|\b(?:won't|will not|can't)\s+come\s+round\b",
    r"\b(?:won't|will not|can't|cannot|isn't|not|couldn't)\s+(?:wake|waking)\b(?:\s+(?:him|her|them|up|properly))?"
    r"(?!\s+(?:early|in the morning|in time|for|at night))",
    r"\b(?:not|isn't|is not|aren't|wasn't|stopped|no longer)\s+(?:responding|responsive|moving|conscious|answering me|reacting)\b",
    r"\b(?:having|had|having a|is having|gone into)\s+(?:a\s+)?(?:seizure|fit|convulsion|convulsions)s?\b",
    r"\b(?:seizing|convulsing|foaming at the mouth|eyes rolled back)\b|\b(?:he's|she's|is)\s+fitting\b",
    r"\b(?:no|there's no|can't find (?:a|his|her))\s+(?:pulse|heartbeat)\b",
    r"\b(?:doing|giving|started|starting|performing|do)\s+(?:him\s+|her\s+)?cpr\b|\bcpr\s+on\b",
    r"(?:在|正在)(?:做|给他做|给她做)(?:心肺复苏|人工呼吸|胸外按压)",
    # --- Choking.
    r"(?:噎|哽)(?:住|着|到|死)|(?:卡|堵)(?:在|住)?(?:了)?(?:喉咙|嗓子|气管)|(?:喉咙|嗓子|嗓子眼|气管)(?:里)?(?:被)?(?:东西)?(?:卡|堵)",
    r"(?:吃|喝|咽|吞)[^。！？!? ]{0,6}卡(?:住|着|到)|(?:鱼刺|骨头|枣核|汤圆|年糕|药片|假牙|糯米)(?:给)?卡(?:住|着|在)",
    r"\bchoking\b",
    r"(?:呛|噎)(?:住|着)(?:了)?[^。！？!?]{0,12}(?:咳不出|喘不|脸(?:都)?(?:发)?[青紫])",
    r"\b(?:something|food|bone|a bone|fishbone|meat|sweet|tablet|pill|dentures?)\s+(?:is\s+)?(?:stuck|lodged)\s+in\s+"
    r"(?:his|her|my|the)\s+(?:throat|windpipe)\b|\bstuck\s+in\s+(?:his|her|my)\s+throat\b",
    # --- Heavy bleeding, bad burns.
    r"大出血|出血不止|血(?:流|止|停)不住|止不住(?:血|地流)|(?:吐|咳|咯|呕)(?:了)?(?:好多|很多|一口|几口)?血",
    r"血(?:一直|不停|还在|止不住)(?:地)?(?:流|冒|往外)|(?:在|一直|还在|不停地?)(?:流|出)血",
    r"流(?:了)?(?:好多|很多|一地|一滩|一身|满脸|一大摊|不少|这么多)血|满(?:地|身|脸|头|手)(?:都)?(?:是)?血|(?:头|脑袋|脑壳)(?:摔|磕|撞)?(?:破|开)(?:了)",
    r"\b(?:nosebleed|nose bleed|bleed|cut|wound|gash)\b[^.?!]{0,25}\b(?:won't|wont|doesn't|will not)\s+stop\b",
    r"\bbleeding\b[^.?!]{0,15}\b(?:badly|heavily|a lot|everywhere|lots|so much|won't stop|wont stop|doesn't stop|"
    r"non ?stop|profusely)\b|\b(?:won't|wont|doesn't|will not|can't)\s+stop\s+(?:the\s+)?bleeding\b",
    r"\b(?:lot|lots|loads|pool) of blood\b|\bblood\s+(?:everywhere|all over)\b|\bblood\s+(?:is\s+)?(?:pouring|gushing|spurting|pumping)\b",
    r"\b(?:pouring|gushing|spurting)\s+(?:with\s+)?blood\b|\b(?:coughing|vomiting|throwing|spitting|bringing)\s+(?:up\s+)?blood\b",
    r"\b(?:burn(?:ed|t)|scald(?:ed)?)\b[^.?!]{0,20}\bbadly\b|\bbadly\s+(?:burn(?:ed|t)|scalded)\b|\bsevere burns?\b",
    # --- Fire, smoke, gas, sparking appliances, water on the electrics.
    r"(?:着|失|起)火(?:了|啦)?|烧起来了|火(?:好|很|太)大",
    r"(?:冒|着|起)(?:黑)?烟|满屋(?:子)?(?:都)?(?:是)?烟|(?:全|都)是烟|烟(?:好|很|太|特别)(?:大|浓)|呛(?:得|死)"
    r"|(?:好|很|这么)大的烟|烟[^。！？!?]{0,8}出不去",
    r"(?:煤气|燃气|天然气|液化气)(?:罐)?[^。！？!? ]{0,4}(?:泄漏|泄露|漏|味|中毒)|一氧化碳|(?:闻到|有股|一股)[^。！？!? ]{0,4}(?:煤气|燃气|天然气|烧焦|焦糊|糊味|焦味)",
    r"\bon fire\b|\bthere's\s+an?\s+fire\b|\bfire\s*!|\bfire\s+(?:in|at)\s+(?:my|the|our)\b|\b(?:fire|smoke)\s+alarm\s+(?:is\s+|'s\s+)?(?:going off|ringing)",
    r"\b(?:full of|lots of|so much|thick|black|filling with|filled with|filling up with)\s+smoke\b|\bsmoke\s+(?:everywhere|coming|pouring|filling)\b|\bsmoke in (?:the|my|our)\b",
    r"\b(?:smell(?:s|ing)?|smelt|smelled|stink(?:s|ing)? of|reek(?:s|ing)? of)\s+(?:of\s+)?(?:gas|smoke|burning|something burning)\b",
    r"\bgas\s+(?:leak|leaking|is leaking|escaping)\b|\bleaking\s+gas\b|\bcarbon monoxide\b",
    r"\b(?:blanket|heater|plug|socket|toaster|kettle|oven|cooker|microwave|tv|telly|wires?|wiring|charger|battery|fridge|dryer|iron|lamp|"
    r"fuse box|extension lead)s?(?:\s+is|\s+are|'s)?\s+(?:smoking|sparking|burning|melting|on fire)\b|\bwater\b[^.?!]{0,50}\belectric",
    # --- Poisoning, overdose, wrong medicine.
    r"吃错(?:了)?药|(?:别人|错)的药(?:吃|喝)了|吃(?:了)?(?:别人|错)的药|药(?:吃|喝|服)(?:多|错|重)了|(?:多|重复)吃了[^。！？!? ]{0,4}药",
    r"(?:吃|吞|喝)(?:了|下)(?:几十|十几|二十|三十|好多|一大把|一把|很多)(?:片|颗|粒)|(?:吃|喝|吞|服)(?:了|下)(?:一|整|大半|半|好几)(?:瓶|把|盒|板)",
    r"(?:一|整|大半|半|好几)(?:瓶|把|盒|板)[^。！？!? ]{0,6}(?:药|片)[^。！？!? ]{0,4}(?:吃|喝|吞)(?:了|下|掉)",
    r"(?:喝|吃|吞|误服|误食|服)(?:了|下)?(?:农药|敌敌畏|百草枯|老鼠药|耗子药|杀虫剂|除草剂|消毒液|洗洁精|漂白|84|毒药|洗衣液)|服毒|中毒",
    r"(?:农药|敌敌畏|百草枯|老鼠药|耗子药|杀虫剂|消毒液|洗洁精|漂白水?)[^。！？!? ]{0,8}(?:喝|吃|吞)(?:了|下|掉)",
    r"\b(?:overdose|overdosed|od'd)\b|\btoo many\s+(?:pills|tablets|meds|painkillers|sleeping pills|paracetamol)\b",
    r"\b(?:swallowed|took|taken|drank|ate|eaten|had)\b[^.?!]{0,12}\b(?:bottle|packet|box|pack|handful|all|lot)\s+of\b[^.?!]{0,20}"
    r"\b(?:pills|tablets|medicine|meds|sleeping|painkillers|paracetamol)",
    r"\b(?:took|taken|swallowed|had)\s+too\s+(?:much|many)\b[^.?!]{0,25}\b(?:pills|tablets|medicine|meds|morphine|insulin|"
    r"painkillers|paracetamol|sleeping|methadone|warfarin|digoxin|tramadol|codeine)",
    r"\b(?:took|taken|swallowed|had)\s+(?:all|the whole|a whole)\b[^.?!]{0,20}\b(?:pills|tablets|medicine|meds|painkillers|insulin)\b",
    r"\b(?:pills|tablets|medicine|meds|insulin|dose|medication)\s+(?:twice|two times|again)\b[^.?!]{0,15}\b(?:by mistake|accidentally)\b",
    r"\baccidentally\s+(?:took|taken|swallowed)\b|\bdouble\s+(?:his|her|my|the)\s+(?:insulin|dose|pills|tablets|medicine|medication)\b",
    r"\b(?:swallowed|drank|drunk|ate|eaten|took|taken|had)\b[^.?!]{0,15}\b(?:poison|bleach|weed ?killer|"
    r"pesticide|rat poison|antifreeze|detergent|cleaning fluid|disinfectant)\b|\bwrong\s+(?:pills|tablets|medicine|medication)\b",
    # --- Severe sudden pain.
    r"(?:疼|痛|通)(?:得|的)[^。！？!? ]{0,6}(?:要命|要死|受不了|打滚|直叫|直哼|冒汗|冒冷汗|出冷汗|满头大汗|直不起|站不起|晕过去|昏过去|要炸|快炸)",
    r"(?:疼|痛)死(?:了|我)|剧痛|剧烈(?:的)?(?:疼|痛)|痛不欲生|(?:疼|痛)欲裂|难受得(?:不行|要命|要死|受不了)",
    r"\bin\s+(?:agony|so much pain|terrible pain)\b|\b(?:screaming|crying|doubled over)\s+(?:in|with)\s+pain\b|\bworst (?:headache|pain)\b",
    r"\b(?:excruciating|unbearable|agonising|agonizing)\b|\bpain\s+is\s+(?:unbearable|terrible|so bad)\b",
    # --- Hypoglycaemia, high fever with confusion.
    r"低血糖(?:了|又|犯|发作)|血糖(?:太|很|特别|好|突然|一下子)?(?:低|掉)(?:了|得)",
    r"(?:冷汗|虚汗)[^。！？!?]{0,8}(?:手抖|发抖|心慌|头晕|站不住|没力)|(?:手抖|发抖|心慌|头晕)[^。！？!?]{0,8}(?:冷汗|虚汗)",
    r"(?:高烧|发烧|烧)[^。！？!?]{0,10}(?:糊涂|说胡话|抽|叫不醒|昏|不认人)|烧到(?:四十|40|39|三十九)",
    r"\b(?:having a hypo|going hypo)\b|\b(?:blood\s+)?sugars?(?:'s|\s+is|\s+are|\s+has)?\s+(?:gone\s+|going\s+|dropped\s+|dropping\s+)?"
    r"(?:very\s+|really\s+|too\s+|so\s+|dangerously\s+)?(?:low|dropping|crashing)\b",
    # --- Break-in, intruder, attack.
    r"(?:有人|有个人|坏人|陌生|小偷|贼|强盗|歹徒)[^。！？!? ]{0,6}(?:闯|撬|砸|踹|翻|爬)[^。！？!? ]{0,3}(?:进|到|入|门|锁|窗)|闯(?:进|到|入)[^。！？!? ]{0,4}(?:家|屋|房)",
    r"(?:有人|陌生|坏人|小偷|男的|有个人)[^。！？!? ]{0,4}(?:拿|持|带|举)(?:着)?(?:刀|棍|枪|斧)",
    r"进(?:了)?(?:贼|小偷|坏人|强盗)|有(?:贼|小偷|强盗|坏人|歹徒)|入室|抢劫|被(?:人)?(?:抢|砍|捅)了|被人打|(?:有人|他)(?:要)?(?:打|杀|砍)(?:我|人)",
    r"\b(?:hear|heard|there's|there is)\s+(?:someone|somebody|a noise|noises|footsteps|people)\b[^.?!]{0,25}"
    r"\b(?:downstairs|upstairs|in (?:the|my) (?:house|flat|kitchen|garden|bedroom)|outside my (?:door|window)|breaking|trying)",
    r"\b(?:someone|somebody|they|people|burglars?|a man)\s+(?:has\s+|have\s+|'s\s+|'ve\s+)?broken\s+in\b",
    r"\btrying\s+to\s+(?:break|get|force\s+(?:their|his|her)\s+way)\s+in(?:to)?\b",
    r"\b(?:someone|somebody|a man|a stranger|strangers|people|they|men)(?:\s+is|\s+are|'s|'re)?\s+(?:breaking|trying to (?:break|get) in|"
    r"broke|forcing|kicking)(?:\s+in|\s+into|\s+the door)?\b",
    r"\b(?:a man|someone|somebody|a stranger|strangers|people|men|they)\s+(?:has\s+|have\s+)?(?:got|broken|forced (?:his|their) way)\s+into\s+"
    r"(?:my|the|our)\s+(?:flat|house|home|room|place)\b",
    r"\b(?:stranger|intruder|burglar|a man|someone|somebody)s?\s+(?:is\s+|are\s+|'s\s+|'re\s+)?(?:in|inside|downstairs|upstairs)\s+"
    r"(?:my|the|our)\s+(?:house|flat|home|room|bedroom|kitchen|garden|place)\b",
    # --- Lost or wandering elder (dementia).
    r"走丢|迷路|找不(?:到|着)(?:回)?(?:家|路)|不认识路了|不认得路|认不得路|不知道(?:自己|我|这|现在)?(?:在|到|是)(?:哪|啥地方)",
    _WHO + r"[^。！？!? ]{0,3}(?<!看)(?:不见了|找不到了|找不着了|没回来|还没回家|一直没回)",
    r"找不(?:到|着)(?:我|俺)?(?:妈|爸|爹|娘|老伴|老头|老太|奶奶|爷爷|外婆|外公|姥姥|姥爷)",
    _either(r"痴呆|失智|糊涂|认知症|阿尔茨海默|老年痴", r"没回来|没回家|不见了|找不到|找不着|走丢", 20),
    r"(?:跑|走|溜)(?:出去|出门|丢)了[^。！？!?]{0,24}(?:找不(?:着|到)|没回来|不见)|找不(?:着|到)人(?:了)?",
    r"\bdon't know where\s+(?:i am|i'm|we are|we're|(?:he|she) (?:is|has gone|went))\b|\b(?:can't|cannot)\s+find\s+(?:my|the)\s+way\s+(?:home|back)\b",
    r"\b(?:wandered|wandering|wanders)\s+(?:off|away|out|the streets|around outside)\b",
    _either(r"\bdementia\b|\balzheimer|\bwent out\b|\bgone out\b|\bleft the house\b|\bwalked out\b",
            r"\b(?:searched|been searching|looked|been looking)\b[^.?!]{0,20}\b(?:hours?|everywhere|all over)\b|"
            r"\bnot come (?:home|back)\b|\bbeen gone\b|\bgone since\b", 80),
    r"\b(?:can't|cannot|couldn't)\s+find\s+(?:him|her|my\s+(?:mum|mom|mother|dad|father|husband|wife|grandma|grandad|grandpa|granny|nan|nana))\b"
    r"(?!'s|\s+(?:glasses|keys|phone|card|bag|purse|wallet|pills|medicine|tablets|form|number|name|address|booking|hearing|stick|walker|coat|shoes))",
    # --- Traffic accidents.
    r"[被遭让](?:车|汽车|小车|货车|摩托车?|电动车|三轮车?|自行车)[^。！？!? ]{0,2}(?:撞|压|碾|刮|带倒)|(?:出|遇到)?车祸",
    r"\b(?:knocked\s+(?:down|over)|run\s+over|hit)\s+by\s+(?:a|an|the)\s+(?:car|bus|van|lorry|truck|bike|motorbike|cyclist|scooter)\b",
    # --- Suicide, self-harm.
    r"自杀|不想活|寻死|轻生|(?:要|想)(?:跳楼|跳河|上吊)|割腕|活不下去了",
    r"\bkill\s+(?:myself|himself|herself)\b|\bend\s+(?:it all|my life|his life|her life)\b|\bsuicid\w*|\bbetter off dead\b",
    r"\b(?:don't|doesn't)\s+want\s+to\s+(?:live|be alive|go on)\b|\bwants?\s+to\s+die\b|\btake\s+my\s+(?:own\s+)?life\b",
    # --- Dying, said now.
    _WHO + r"(?:快|就|真的|怕是|感觉|觉得|好像)?要死了|快(?:要)?死了",
    r"\b(?:i'm|im|i am|i think i'm|i feel like i'm)\s+(?:dying|going to die|gonna die|about to die)\b",
    # --- Someone living alone cannot be reached.
    _either(r"(?:电话|手机)[^。！？!?]{0,8}(?:打不通|没人接|不接|关机)|敲门(?:没人|不)(?:应|开)|不开门|没人开门|联系不上",
            r"一个人|独居|自己在家|一人在家|独自|几个小时|一整天|一天了|半天|担心|出事|不对劲"),
    _either(r"\bnot (?:picking up|answering)|\bisn't (?:picking up|answering)|\bhasn't (?:answered|picked up|called back|been answering)|"
            r"\bno answer\b|\bcan't (?:reach|get hold of|get through to|contact)\b|\bnot replying\b|\bwon't answer\b|\bdoesn't answer\b",
            r"\balone\b|\bon (?:his|her) own\b|\bby (?:himself|herself)\b|\bfor hours\b|\bsince (?:yesterday|this morning|last night)\b|"
            r"\ball day\b|\bworried\b|\balarm\b|\bpendant\b|\bscared\b|something's wrong|\bfallen\b|\bcheck (?:on )?(?:him|her)\b|"
            r"\bsend (?:someone|somebody)\b", 80),
]

# ---------------------------------------------------------------------------------------------
# WEAK: usually danger, but the same words appear in harmless sentences. Each entry is
# (pattern, kind): kind "help" is also cancelled by a service request ("help me, I need a
# volunteer to take me shopping"); kind "event" only by the general harmless contexts.
# ---------------------------------------------------------------------------------------------
_WEAK = [
    # --- Asking for help, scared or lost, without saying why.
    (r"急救|救命药|帮帮(?:我|俺|忙)|快(?:点)?(?:来|过来)(?!了)|出事了|出大事|不得了了|了不得了", "help"),
    (r"\bhelp\s+(?:me|us|him|her)\b(?=\s*(?:$|[,.!;:-]|please|pls|plz|now|quick|quickly|fast|someone|somebody|i\b|i'm|im\b|"
     r"i've|ive\b|i can|i fell|he\b|he's|she\b|she's|my\b|we\b|it's|there's|oh\b|god\b|help\b))", "help"),
    (r"\b(?:someone|somebody|anyone|anybody)\s+help\b|[,.;:!-]\s*(?:please\s+|pls\s+)?help(?:\s+(?:me|us))?(?:\s+please)?\W*$", "help"),
    (r"\bsave\s+(?:me|us|him|her)\b|\bhurry\b|\bemergency\b|\burgent\b", "help"),
    (r"\b(?:i'm|i am|i feel|i'm feeling)\s+(?:so\s+|really\s+|very\s+)?(?:scared|frightened|terrified)\b(?!\s+(?:of|to|that|about))", "help"),
    (r"\b(?:i'm|im|i am|we're|we are)\s+(?:so\s+|completely\s+)?lost\b", "help"),
    # --- Falls and injuries.
    (r"(?:摔|跌|滑|绊|栽)(?:倒|到|跤|了一跤|了一下|了个跟头|伤|下去|下来)(?!过)"
     r"|(?:摔|跌)了(?!一?[下次回]?过|玩具|东西|碗|杯|盘|手机|电话|门|个[碗杯盘])|跌低", "event"),
    (r"站不起来|爬不起来|起不来|骨折|(?:骨头|腿|胳膊|手|脚)[^。！？!? ]{0,2}断了|(?:磕|撞|碰)(?:破|伤)", "event"),
    (r"(?:切|割|砍|划)(?:到|破|伤|了)[^。！？!? ]{0,6}(?:手|腿|脚|头|口子|血)", "event"),
    (r"\b(?:fallen|fell)\b|\bfall(?:ing|s)?\s+(?:down|over)\b|\bhad\s+a\s+(?:bad\s+|nasty\s+|big\s+|little\s+)?fall\b|"
     r"\b" + _WHO_EN + r"\s+falls?\b|"
     r"\b(?:tripped|slipped)\b(?!\s+(?:up|my mind|out))|\btook\s+a\s+(?:\w+\s+)?(?:tumble|fall)\b|\bkeeps?\s+falling\b", "event"),
    (r"\b(?:broke|broken|fractured|cracked)\s+(?:my|his|her)?\s*(?:hip|leg|arm|wrist|neck|back|ankle|ribs?|pelvis|femur|collarbone|shoulder)\b", "event"),
    (r"\b(?:can't|cannot)\s+get\s+out\s+of\s+bed\b|\bcan't\s+stand\b(?!\s+(?:the|it|him|her|them|that|this|those|people|being|when|to|for|very|\w+ing)\b)", "event"),
    # --- Heart, chest, breathing.
    (r"心(?:绞痛|梗|肌梗)|(?<!有点)心慌|胸闷|心跳(?:好|很|特别|太)?慢|憋(?:死|不过|得喘|气)", "event"),
    (r"\bheart attack\b|\bpalpitations\b|\bangina\b|\b(?:short of breath|out of breath|breathless|wheezing)\b", "event"),
    # --- Stroke and other signs in the head: speech, numbness, drooling, sight.
    (r"中风|脑梗|脑溢血|脑出血|卒中|说话(?:说)?(?:不清|含糊|不利索|大舌头)楚?了|说话[^。！？!? ]{0,3}含含?糊糊?|口齿不清了", "event"),
    (r"舌头打结|舌头(?:发)?(?:硬|麻|大|不听使唤)|说不出话|讲不出话|不会说话了|全身发麻|手[^。！？!? ]{0,3}(?:拿不住|抬不起|使不上劲)", "event"),
    (r"流口水|口水(?:往下|直)(?:淌|流)|嘴(?:巴)?(?:都)?合不上", "event"),
    (r"\bstroke\b|\bmini[- ]stroke\b|\btia\b|\bcan't\s+(?:talk|speak)(?:\s+(?:properly|clearly|right))?\b", "event"),
    # --- Fainting, dizziness, fever, feeling very unwell.
    (r"头(?:昏|晕)得很|头(?:好|很|特别)晕|走路(?:都)?(?:打晃|打偏)|打偏偏|晕乎乎|虚脱|人都糊涂了|突然糊涂|浑身没(?:力气?|劲)", "event"),
    (r"烫得厉害|发烫|发高烧|高烧|(?:冒|出)(?:冷|虚)汗|头(?:好|很|特别|非常)(?:疼|痛)", "event"),
    (r"不舒服[^。！？!?]{0,6}(?:快|赶紧|马上)|(?:快|赶紧)[^。！？!?]{0,6}不舒服|要死了|(?:人|我|他|她)(?:很|好|特别)?(?:难受|不舒服)(?:啊|呀)?$", "event"),
    (r"\b(?:collapsed|collapsing|passed out|passing out|blacked out|fainted|fainting)\b|(?<!a bit )(?<!slightly )(?<!a little )\bdizzy\b|\bburning up\b|"
     r"\b(?:very|suddenly|really)\s+confused\b|\b(?:very|really|so)\s+drowsy\b|\bcold and clammy\b|(?<!i'm )(?<!i am )\bnot making (?:any )?sense\b", "event"),
    (r"\b(?:i'm|im|i am|he's|she's|he is|she is)\s+(?:very\s+|really\s+|so\s+|terribly\s+)?(?:ill|sick|unwell|poorly)\b(?!\s+(?:of|and tired))|"
     r"\b(?:is|'s)\s+(?:very|really|so|terribly)\s+(?:ill|poorly|unwell|sick)\b|"
     r"\b(?:i|he|she)\s+(?:don't|doesn't|do not|does not)\s+feel\s+(?:well|right|good|ok|okay)\b|"
     r"\bi\s+feel\s+(?:very\s+|really\s+|so\s+|terribly\s+)?(?:ill|sick|unwell|awful|terrible|horrible|faint|weak|strange)\b|"
     r"\b(?:i'm|im|i am)\s+not\s+(?:ok|okay|well|alright|all right)\b|\bsomething(?:'s| is)\s+(?:wrong|not right)\s+with\s+(?:me|him|her|mum|mom|dad|my)\b", "event"),
    (r"\bdying\b|\b(?:he's|she's|he is|she is)\s+(?:going to die|gonna die)\b", "event"),
    # --- Bleeding, burns, pain.
    (r"流血|出血|吐血|渗血|伤口[^。！？!? ]{0,4}(?:流血|出血|裂开)|(?:疼|痛)(?:得|的)(?:不行|厉害)|(?:疼|痛)得[^。！？!? ]{0,4}(?:走不了|走不动|动不了)", "event"),
    (r"烫伤|烧伤|烫(?:伤|着|到)|被[^。！？!? ]{0,4}烫了|(?:开水|热水|热油|油)[^。！？!? ]{0,4}烫", "event"),
    (r"\bbleeding\b|\bhaemorrhag|\bhemorrhag|\b(?:severe|terrible|awful|horrible|sharp|sudden|crushing)\s+(?:\w+\s+)?"
     r"(?:pain|pains|headache|stomach ?ache|tummy ache|belly ache)\b", "event"),
    (r"\b(?:chest|heart|head|stomach|tummy|belly|back|hip)\s+(?:is\s+)?killing\s+(?:me|him|her)\b", "event"),
    # --- Poisoning, wrong medicine, allergy.
    (r"(?:吃|服)(?:了)?(?:两|双)(?:遍|倍|份)|重复吃(?:了)?药|吃重了|毒蘑菇|食物中毒|上吐下泻", "event"),
    (r"\bpoison(?:ed|ing)?\b|\bdouble dose\b|\bby mistake\b|\ballergic reaction\b", "event"),
    # --- Fire, gas, flood, an alarm going off.
    (r"火灾|着火|烟味|(?:怪味|异味|臭味)[^。！？!?]{0,10}(?:头疼|头晕|想吐|恶心)", "event"),
    (r"\bfire\b|\bflood(?:ed|ing)?\b|\b(?:pendant|alarm|button)\b[^.?!]{0,20}\b(?:went off|going off|triggered)\b", "event"),
    # --- Hypoglycaemia.
    (r"低血糖", "event"), (r"\bhypo\b|\blow (?:blood )?sugar\b|\bhypoglyc", "event"),
    # --- Intruders, strangers, attacks.
    (r"小偷|贼|(?:不认识|陌生)的?(?:人|男的|女的|男人|女人)[^。！？!?]{0,10}(?:不走|不肯走|赖着|进来|在家|在我家|屋里)", "event"),
    (r"\b(?:burglar\w*|intruders?|break[- ]in|broken into|broke into|robbed|mugged|attacked|assaulted)\b|"
     r"\b(?:hitting|beating|hurting|threatening)\s+(?:me|her|him)\b|\bsomeone(?:'s| is)\s+at\s+(?:my|the)\s+(?:door|window)\b", "event"),
    # --- Missing people, trapped, accidents.
    (r"走失|(?:困|关)在[^。！？!? ]{0,4}(?:电梯|屋|厕所|卫生间)", "event"),
    (r"\b(?:gone|went|is|has been|'s)\s+missing\b|\b(?:got|gotten)\s+lost\b|\bhasn't\s+(?:come|been)\s+(?:back|home)\b|"
     r"\bdidn't\s+come\s+(?:back|home)\b|\bdementia\b[^.?!]{0,40}\b(?:out|gone|left|missing)\b|\b(?:car )?(?:accident|crash)\b", "event"),
    # --- Ambulance words without an order.
    (r"救护车|(?:叫|打|拨|喊)(?:个|一下|了)?(?:救护车|120)", "ambulance"), (r"\bambulance\b", "ambulance"),
]

# ---------------------------------------------------------------------------------------------
# Contexts around a match.
# ---------------------------------------------------------------------------------------------
# A past event ("上次", "last year", "摔过", "since his stroke") or a long-standing condition.
_PAST = (r"上次|上回|那次|那回|去年|前年|以前|之前|早先|早些年|几年前|年前|前几年|上个月|上礼拜|上星期|上周|上半年|当年|那年|"
         r"那时候?|曾经|平时|平常|经常|(?:中风|脑梗|摔|跌|手术|出院|住院|心梗)(?:了)?(?:腿|腰|胳膊|手)?(?:以后|之后|后)|好多年|好几年|多年|常年|老毛病|后遗症|从小|昨天|昨晚|前天|前几天|(?:摔|跌|倒|风|梗|晕|昏|犯|伤|断|院)过(?![去来])|(?:得|患|生|出)过|老是|总是|动不动就|时不时|隔三差五|"
         r"\blast\s+(?:year|month|week|winter|summer|spring|autumn|fall|time|night|christmas)\b|\b(?:years?|months?|weeks?|days?)\s+ago\b|"
         r"\ba\s+(?:while|long time|few (?:years|months|weeks))\s+(?:ago|back)\b|"
         r"\bin\s+(?:january|february|march|april|june|july|august|september|october|november|december|the summer|the spring)\b|"
         r"\bat christmas\b|\blast (?:spring|easter)\b|\bprevious(?:ly)?\b|\bused to\b|\bin the past\b|\bback in\b|\bhistory of\b|"
         r"\bsince\s+(?:his|her|my|the|then|(?:19|20)\d\d)\b|\bever since\b|\bin\s+(?:19|20)\d\d\b|(?:19|20)\d\d\s?年|"
         r"\b(?:been|has been|have been)\s+(?:\w+\s+){0,4}since\b|\bafter\s+(?:his|her|my)\b|\brecover(?:ed|ing|y)\s+from\b|\bsurvivors?\b|\byesterday\b|"
         r"\bthe other (?:day|week)\b|\bonce had\b|\bfor years\b|\blately\b|\bsometimes\b|\boften\b|\busually\b|\bevery (?:day|night|week|time)\b|"
         r"\bany ?more\b|\bno longer\b|\bthese days\b|\bwhen (?:he|she|i|they) (?:stands?|gets? up|walks?|climbs?|bends?)\b")
# Long ago ("五年前", "last year"), unless the sentence also says now/again ("现在又", "again").
_DISTANT_PAST = (r"年前|去年|前年|那年|当年|那次|那回|好多年|好几年|以前(?!(?:从来|从)?(?:没|不|都没))|"
                 r"\byears?\s+ago\b|\b(?:a few|several|two|three|some)\s+(?:weeks|months)\s+ago\b|\blast\s+year\b|\bin\s+(?:19|20)\d\d\b|\bback in\b|\bwhen i was\b")
_CURRENT = (r"现在|又|还在|还是|这次|这回|这下|今天|今儿|今早|今晚|这会|眼下|找了[^。！？!?]{0,8}(?:没找到|找不到|找不着|还没找)|"
            r"\bnow\b|\bagain\b|\bstill\b|\btoday\b|\btonight\b")
# Money, rights and paperwork.
_ADMIN = (r"补贴|补助|补帖|不贴|津贴|今贴|保险|长护险|护理险|意外险|医保|社保|报销|能报|政策|福利|待遇|优待|享受|申请|资格|条件|够格|"
          r"能领|领取|领不|可以领|能不能领|有啥能领|办理|手续|费用|多少钱|要钱|收钱|收费|花了|床位|评估|慢病|残疾证|低保|特困|"
          r"帮扶|救助金|登记|评(?:几|个|什么|多少)?级|几级|等级|(?<!危)险(?!情)|补偿|赔偿|理赔|适老化|改造|政府|"
          r"\bsubsid|\ballowance|\binsurance|\binsured\b|\bclaim|\bgrant|\bbenefit|\b(?:eligib|elegib|eligab|elligib|illegib)|\bentitled|\bqualif|\bapply|"
          r"\bapplication|\bforms?\b|\bpay(?:s|ing)?\s+for\b|\bpaid\s+for\b|\bcosts?\b|\bfees?\b|\bfree\b|\bmoney\b|\bfunding\b|"
          r"\bvoucher|\bdiscount|\bscheme|\bpolic(?:y|ies)\b|\bsupport\b|\bwhat help\b|\bhelp is there\b|\bany help\b|"
          r"\bcan\s+(?:she|he|i|we|they|mum|mom|dad)\s+(?:get|claim|have)\b|\bis there (?:any )?(?:help|money|support)\b|\bhelp for\b|\bcompensation\b|\bcomplain|\bwhat(?:'s| is) the (?:phone )?number\b|\bnumber (?:to|for)\b|\bcare bed\b|\bcare level\b|\bassessment\b|"
          r"\bdisability\b|\bpension\b|\bbus pass\b")
# Talks, classes, prevention, advice.
_EDU = (r"预防|防止|避免|讲座|课|培训|知识|常识|宣传|注意事项|注意什么|区别|有啥不同|什么不同|想学|学一下|"
        r"\bprevent|\bavoid|\b(?:a|the|health|safety|fire)\s+talks?\b|\btalks\b|\bgroups?\b|\bclubs?\b|\bclass(?:es)?\b|\blecture|\bcourse|\bworkshop|\btraining\b|\bdrill|\bfirst aid\b|"
        r"\btips\b|\badvice\b|\bawareness\b|\bsafety\b|\bsigns of\b|\bdifference between\b|\bwhat(?:'s| is)\s+(?:a|an)\b|\bsymptoms of\b|\bwhat (?:are|is) the (?:signs|symptoms)\b|\blearn|\bteach")
# TV, games, dreams, jokes (specific phrases, so "I was watching TV and my chest started hurting" still fires).
_FICTION = (r"电视里|电视上|电视说|电视讲|睇电视|电视剧里|电影里|节目(?:里|上|讲|说)|纪录片|抖音上|快手上|视频上看|广播(?:里|讲|说)|游戏|梦见|梦到|做梦|梦里|小说|故事里|新闻里|新闻上|新闻说|视频里|视频上|戏里|剧里|演的|开玩笑|闹着玩|段子|"
            r"演习|演练|模拟|骗子|诈骗|骗人|吃鸡|王者|手游|网游|"
            r"\b(?:on|in)\s+(?:the\s+|a\s+|his\s+|her\s+|my\s+)?(?:tv|telly|television|film|movie|show|programme|program|game|video|"
            r"news|soap|drama|book|story|dream|nightmare|cartoon)\b|\b(?:video|computer|online)\s*games?\b|\bjok(?:e|es|ing)\b|"
            r"\bkidding\b|\bpretend|\bdreamt\b|\bdreamed\b|\bactor\b|\bactress\b|\bsong\b|\blyrics\b|\bdocumentar(?:y|ies)\b|"
            r"\bthe\s+(?:tv|telly|news|radio|paper)\s+(?:said|says|showed|had)\b")
# Films, shows, games in general: enough to explain away WEAK words only.
_MEDIA = (r"电视|电影|视频|抖音|快手|节目|新闻|报道|报纸|广播|\bfilms?\b|\bmovies?\b|\btv\b|\btelly\b|\bshows?\b|\bseries\b|\bepisode\b|\bvideos?\b|"
          r"\bstory\b|\bnovel\b|\bgames?\b|\bcartoon\b|\bplay\b")
# A hypothesis: "万一摔倒了怎么办", "what if he falls".
_HYPOTHETICAL = (r"万一|如果|假如|假设|要是|假使|以防|的话|[怕担]心?[^。！？!? ]{0,2}(?=摔|跌|滑|绊|走丢|走失|迷路|中风|噎|呛|着火|煤气)|最怕|就怕|怕(?:哪天|万一|半夜|以后)|"
                 r"遇到[^。！？!?]{0,8}怎么办|一般(?:咋整|怎么办|怎么弄|是谁|谁来|咋办)|的时候(?:能|该|要|怎么|用)|"
                 r"\bwhat if\b|\bin case\b|\bif\s+\w+(?:\s+\w+)?\s+(?:ever|were to|should)\b|\bshould\s+\w+\s+ever\b|"
                 r"\bwhat\s+(?:do|should|would|can)\s+(?:i|we|you)\s+do\s+(?:if|when)\b|\bwhat happens\s+(?:if|when)\b|\bif\s+(?:i|you|we|they|he|she)\s+(?:ever\s+)?needs?\b|"
                 r"\bhow\s+(?:do|can|would|should)\s+(?:i|you|we)\s+(?:know|tell|spot|recogni[sz]e)\b|\bsuppos(?:e|ing)\b|"
                 r"\b(?:scared|afraid|worried|worry|worries|frightened|terrified|fear|fears)\s+(?:of|that|about)\s+(?:\w+\s+){0,2}"
                 r"(?:falling|fall|getting lost|wandering|collapsing|choking|fainting|having a (?:stroke|fall|heart attack)|a fire)\b|"
                 r"\b(?:might|may|could)\s+(?:fall|get lost|wander off)\b|"
                 r"\bif\s+(?:she|he|i|they|we|mum|mom|dad|someone|somebody|anyone|my\s+\w+)\s+(?:ever\s+)?(?:falls?|trips?|slips?|"
                 r"collapses?|faints?|has\s+a\s+(?:fall|stroke|heart attack)|gets?\s+lost|wanders?\s+off)\b|"
                 r"^\W*say\s+(?:my|mum|mom|dad|he|she|someone|somebody|i)\b|\bwould\s+(?:the|her|his|my|your|a)\s+(?:tracker|pendant|alarm|sensor|watch|bracelet)\b|"
                 r"^\W*(?:does|do|will|would)\s+(?:the|her|his|my|a|your|that)\s+(?:\w+\s+)?(?:alarm|pendant|button|watch|bracelet)s?\s+"
                 r"(?:go|connect|ring|call|put|send|alert|dial)\b")
# Cancelling or missing a booking.
_CANCEL = (r"取消|去消|取小|不要了|退了|退掉|去不了|来不了|去不成|不去了|(?<![起爬站醒上过出回])不来了|请假|不用送|不用来|别送|撤|地址改|改(?:一下|个)(?:地址|时间)|"
           r"\bcancel|\bcouncil\b|\bcansel|\bcancle|\bcanel\b|\bcan't\s+(?:come|make it|go|attend)\b|\bwon't be\s+(?:coming|able)\b|"
           r"\bnot coming\b|\bskip\b|\bcall off\b|\bunbook|\bwithdraw|\btake\s+(?:me|her|him)\s+off\b|\bstop\s+(?:the|sending|her|his|my|their)\b|\bdon't send\b|\breschedul|\bpostpone|"
           r"\b(?:change|move)\s+(?:my|her|his|the)\s+(?:lunch|dinner|meal|booking|appointment)")
# It is over and everyone is fine.
_RESOLVED = (r"没事(?![吧吗啊呀])|处理好了|修好了|解决了|找(?:到|回来)了|没什么事|没啥事|没大碍|没受伤|没伤着|已经好了|好多了|不要紧|现在好了|早就?好了|都好了|养好了|"
             r"痊愈|康复了|恢复(?:得)?(?:挺|很|还)?好|(?:火|已经)(?:被)?(?:扑)?灭了|后来[^。！？!?]{0,8}(?:来了|灭了|好了|救过来了|没事)|"
             r"\bit's (?:fine|ok|okay|alright|all right) now\b|\b(?:fine|better|healed|recovered|mended) now\b|\bfully recovered\b|"
             r"\b(?:she's|he's|i'm|she is|he is|i am|we're)\s+(?:fine|ok|okay|alright|all right)\s+now\b|\bno\s+(?:harm|injuries|injury)\b|"
             r"\b(?:wasn't|not|isn't|weren't)\s+(?:hurt|injured)\b|\b(?:no ?one|nobody|no-one)(?:'s| is| was| got)\s+(?:hurt|injured)\b|"
             r"没(?:有)?人(?:受伤|出事)|\bnothing(?:'s| has)\s+happened\b|\bdidn't hurt\s+(?:himself|herself|myself)\b|\bfalse alarm\b|\ball (?:fine|ok|okay|good|well)\b|\beverything(?:'s| is) (?:fine|ok|okay)\b")
# Asking for a service (only cancels "help" words).
_REQUEST = (r"志愿者|自愿者|志原者|义工|上门|打扫|洗澡|理发|报名|抱名|预约|订|陪|聊天|买菜|跑腿|修|读|写|弄|灯泡|收拾|搞卫生|"
            r"\bvolunteers?\b|\btime bank\b|\bshopping\b|\bshower\b|\bbath(?:e|ing)?\b|\bwash|\bclean|\bcook|\bcarry|\bbulb\b|\bfill\b|"
            r"\bbook|\bfind\b|\bappointment\b|\bmeals?\b|\blunch\b|\bdinner\b|\bsupper\b|\bcomputer\b|\bphone\b|\bapp\b|\bcards\b|"
            r"\bgarden|\bpaperwork\b|\bletters?\b|\bread\b|\bwrite\b|\bdress|\bbins?\b|\bsign (?:up|me)\b|\bhomework\b|"
            r"^\W*(?:can|could|would|will)\s+(?:you|someone|somebody|anyone|a|the|one)\b|\bto help\b|\bwin\b|\bseat\b|\bplace\b|"
            r"\bpress\b|\boption\b|\bmenu\b|\bunderstand\b|\bexplain\b|\bmean\b|\bwebsite\b|\bbutton\b")
# Said to be asked only to know, for later: with no danger word counted, the classifier's
# "emergency" is not believed either (told_as_over).
_JUST_TO_KNOW = (r"以备|备用|存(?:一下|个|下来|起来)?(?:号码|电话)|存一下|记(?:一下|下来|住)(?:号码|电话)?|就问问|随便问问|先问问|问一下而已|"
                 r"先了解|想了解|了解一下|"
                 r"\bjust so (?:i|we|she|he|you) (?:know|have it)\b|\bfor (?:later|future reference|the future|reference)\b|"
                 r"\bjust (?:asking|wondering|curious|checking)\b|\basking for later\b|\bon (?:the|her|his|my|mum's|dad's) fridge\b|"
                 r"\bwrite (?:it|that) down\b|\bsave (?:it|the number)\b")
# Asking what the ambulance number is, to know it ("just so I know", "for the fridge"): explains
# away ambulance words only, never another danger word in the same message.
_AMBULANCE_NUMBER_ASKED = (
    r"(?:急救|救护车)(?:的)?(?:电话|号码)(?:是)?(?:多少|几号|什么)|(?:多少|几号)(?:是|叫)?救护车|"
    r"\bwhat(?:'s| is)\s+(?:the\s+)?(?:number\s+(?:for|of)\s+(?:an?\s+|the\s+)?ambulance|ambulance\s+number)\b|"
    r"\bwhat\s+number\s+(?:is|do\s+(?:i|you|we)\s+(?:call|ring|dial)\s+for)\s+(?:an?\s+|the\s+)?ambulance\b|"
    r"\b(?:is|isn't)\s+(?:the\s+)?(?:ambulance|emergency number)\s+(?:120|999|911|112)\b|"
    r"\b(?:120|999|911|112)\s+(?:is|for)\s+(?:the\s+|an?\s+)?ambulance\b")
_NUMBER_INFO = _AMBULANCE_NUMBER_ASKED + r"|" + _JUST_TO_KNOW

# Asking for the emergency or ambulance number itself (answered with the district's number when
# nothing in the message is danger: ``asks_emergency_number``).
_ASKS_NUMBER = (_AMBULANCE_NUMBER_ASKED + r"|"
                r"(?:急救|救护车|紧急|求救)(?:的)?(?:电话|号码)(?:是)?(?:啥|哪个)|(?:紧急|求救)(?:的)?(?:电话|号码)(?:是)?(?:多少|几号)|"
                r"(?:叫|打)?救护车(?:要|该|应该)?(?:打|拨)(?:多少|几号|哪个(?:电话|号码)?)|"
                r"\bwhat(?:'s| is)\s+(?:the\s+)?(?:(?:ambulance|emergency)\s+phone|emergency)\s+number\b|"
                r"\b(?:what|which)\s+number\s+(?:is|do\s+(?:i|you|we)\s+(?:call|ring|dial|phone)\s+for)\s+"
                r"(?:an?\s+|the\s+)?(?:ambulance|emergenc(?:y|ies))\b|"
                r"\b(?:is|isn't)\s+(?:the\s+)?(?:ambulance|emergency number)\s+000\b|"
                r"\b(?:120|999|911|112|000)\s+(?:is|for)\s+(?:the\s+|an?\s+)?(?:ambulance|emergenc(?:y|ies))\b")

# Said to be happening now or urgent: overrides every harmless reading above.
_NOW = (r"刚才|刚刚|正在|现在就|这会儿|快来|(?<![不别要用能该])(?:赶紧|赶快|马上|立刻|立即)|快救|快叫|求求|又(?:摔|跌|中风|晕|犯|倒|昏|发作)|"
        r"现在又|这会又|又开始|(?<!多)快(?:派|送|找)人|(?<!多快)派人来|快啲|(?:这回|这次|今天)(?:可|真的)?(?:不一样|不对劲)|跟平时不一样|不像平时|"
        r"现在(?![^。！？!?，,]{0,3}有(?:一)?点)[^。！？!?，,]{0,8}(?:摔|倒|躺|晕|喘|疼|痛|流血|起不来|不行|说不出|抽|含糊|说不清|口齿不清|嘴歪)|"
        r"\bright now\b|\bjust now\b|\bat the moment\b|\bthis minute\b|\basap\b|\bimmediately\b|"
        r"\b(?:fallen|fell|collapsed|fainted)\s+again\b|\bnow\b[^.!?]{0,30}\bagain\b|\bright away\b|\bstraight away\b|\bhelp\s*!|\bplease come\b|\bcome now\b|"
        r"\bsend\s+(?:someone|somebody|help|an ambulance)\b|\bjust\s+(?:had|fell|collapsed|fainted|passed out|happened|gone down)\b|"
        r"\bstill on the floor\b|\bnow\s*!|\bnever done this\b|\bthis (?:time )?is different\b|\bnot like (?:him|her) at all\b|"
        r"\bnow\s+(?:my|her|his|she|he|mum|mom|dad|the)\b[^.?!]{0,30}\b(?:gone|can't|cannot|won't|isn't|collapsed|fallen|not)\b")

# Asking for a routine service (carer, meals, home nursing): explains a condition described
# on the way ("我妈起不来床 要人上门洗澡", "she can't stand for long, can someone come and cook").
_SERVICE = (r"上门(?!看看)|(?:找|请|要|雇)(?:个|一个)?(?:护工|保姆|陪护)|送饭|订饭|推拿|按摩|理发|打扫|助浴|日间照料|定位手环|量血压|"
            r"\b(?:need|want|get|find|book)\s+(?:a\s+)?carers?\b|\bcarers?\s+(?:for|to|in the|every)\b|\bhome (?:nursing|help|care|visit)\b|\bnurse (?:visit|to come|come)\b|\bcan a nurse\b|\bcleaner\b|"
            r"\bmeals?\s+(?:delivered|delivery|on wheels)\b|\b(?:restart|change|move|cancel)\s+(?:her|his|my|the)\s+(?:meals?|lunch|dinner|booking)\b|"
            r"\bmassage\b|\bphysio|\bstairlift\b|\bgrab ?rails?\b|\bhand ?rails?\b|\bpendant alarm\b|\b(?:is there|any|find|need|want)\s+(?:a\s+)?day cent(?:re|er)\b|\brespite\b|"
            r"\bcan (?:someone|somebody|a volunteer) come and (?:cook|clean|wash|bathe|sit|read)\b")
# Help is already there: in hospital, admitted, kept in.
_IN_CARE = (r"住院|住着院|入咗医院|在医院(?:里)?(?:观察|住|躺)|医院(?:里)?观察|"
            r"\b(?:in|into|staying in)\s+hospital\b|\badmitted\b|\bkeeping (?:him|her|them) in\b|\bon the ward\b")
_GENERAL_SAFE = [_PAST, _ADMIN, _EDU, _FICTION, _HYPOTHETICAL, _CANCEL, _RESOLVED, _MEDIA, _SERVICE]

# ---------------------------------------------------------------------------------------------
# Normalisation.
# ---------------------------------------------------------------------------------------------
# Traditional characters that occur in the patterns above.
_TRAD = str.maketrans(dict(zip(
    "過氣難護車暈燒動來幫沒臟腦說話邊頭藥農發燙闖賊門見丟緊況這裡裏電視補貼險報銷點還時會個傷斷樓廁醫進癱嘔嚴厲撐們遊戲夢讓萬當從"
    "誰媽爺兒麼嗎開關應聽覺錯聞煙災搶殺蹤處癲嚨嗆臉塊熱塗給無費歲腳脹痺",
    "过气难护车晕烧动来帮没脏脑说话边头药农发烫闯贼门见丢紧况这里里电视补贴险报销点还时会个伤断楼厕医进瘫呕严厉撑们游戏梦让万当从"
    "谁妈爷儿么吗开关应听觉错闻烟灾抢杀踪处癫咙呛脸块热涂给无费岁脚胀痹",
    strict=True,
)))
_REWRITES = [
    (re.compile(r"[‘’`´]"), "'"), (re.compile("\U0001f198"), " sos "), (re.compile("\U0001f691"), " ambulance "),
    (re.compile(r"[一幺妖腰邀][二两][零〇0]|1\s2\s0"), "120"),
    (re.compile(r"莫得|冇得|冇|没得"), "没"), (re.compile(r"[唔勿]"), "不"), (re.compile(r"咗"), "了"),
    (re.compile(r"[救就舅]户车|就护车|救[护户]册"), "救护车"),
    (re.compile(r"\b(?:hlep|hepl|halp|hellp|hwlp|hrlp|heelp|he+l+p{2,})\b"), "help"),
    (re.compile(r"\b(?:ambulence|ambulanse|amblance|ambulnce|ambalance|ambulans|amberlance|ambulace)\b"), "ambulance"),
    (re.compile(r"\b(?:emergancy|emergecy|emergncy|emergeny|emergenzy|emergensy)\b"), "emergency"),
    (re.compile(r"[ \t\u3000]+"), " "),
]
# Apostrophes people leave out ("cant breathe", "im on the floor").
_APOSTROPHE_RE = re.compile(r"\b(cant|dont|wont|isnt|doesnt|didnt|couldnt|wasnt|hasnt|havent|arent|im|ive|hes|shes|theres|thats|its|somethings)\b")
_APOSTROPHE = {"cant": "can't", "dont": "don't", "wont": "won't", "isnt": "isn't", "doesnt": "doesn't", "didnt": "didn't",
               "couldnt": "couldn't", "wasnt": "wasn't", "hasnt": "hasn't", "havent": "haven't", "arent": "aren't",
               "im": "i'm", "ive": "i've", "hes": "he's", "shes": "she's", "theres": "there's", "thats": "that's",
               "its": "it's", "somethings": "something's"}


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().translate(_TRAD)
    for pattern, repl in _REWRITES:
        text = pattern.sub(repl, text)
    text = _APOSTROPHE_RE.sub(lambda m: _APOSTROPHE[m.group(1)], text)
    return text.strip()


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)  # the text is lower-cased first; IGNORECASE would be slower


# Each danger pattern is either Chinese (has Chinese characters) or English; a message is only
# scanned with the patterns of the scripts it contains, which halves the work on long messages.
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[a-z0-9]")


def _script(pattern: str) -> str:
    chinese, english = bool(_CJK.search(pattern)), bool(re.search(r"\\b[a-z(]", pattern))
    if chinese and english:
        raise ValueError(f"split this pattern into a Chinese and an English one: {pattern}")
    return "zh" if chinese else "en"


def _by_script(patterns: list[str]) -> dict[str, re.Pattern[str]]:
    return {lang: _compile("|".join(f"(?:{p})" for p in patterns if _script(p) == lang)) for lang in ("zh", "en")}


_MASK_RE = _by_script(_MASKS)
_HARMLESS_USE_RE = _by_script(_HARMLESS_USES)
_DENIAL_RE = _by_script(_DENIALS)
_STRONG_RE = [(_compile(p), _script(p)) for p in _STRONG]
_WEAK_RE = [(_compile(p), kind, _script(p)) for p, kind in _WEAK]
_SAFE_RE = [_compile(p) for p in _GENERAL_SAFE]
_PAST_RE, _ADMIN_RE, _EDU_RE, _FICTION_RE, _HYPOTHETICAL_RE, _CANCEL_RE, _RESOLVED_RE, _MEDIA_RE, _SERVICE_RE = _SAFE_RE
_REQUEST_RE = _compile(_REQUEST)
_DISTANT_PAST_RE = _compile(_DISTANT_PAST)
_NUMBER_INFO_RE = _compile(_NUMBER_INFO)
_JUST_TO_KNOW_RE = _compile(_JUST_TO_KNOW)
_AMBULANCE_WORD_RE = _compile(r"ambulance|救护车|\b(?:120|999|911|112)\b")
_ASKS_NUMBER_RE = _compile(_ASKS_NUMBER)
_CURRENT_RE = _compile(_CURRENT)
_NOW_RE = _compile(_NOW)
_IN_CARE_RE = _compile(_IN_CARE)
# Told as not having happened, or as an old complaint: with nothing said to be happening now, the
# classifier's "emergency" for these is not believed (told_as_over); the rules weigh them above.
_NEAR_MISS_RE = _compile(r"差点|险些|差一点|\b(?:nearly|almost)\b")
_LASTING_RE = _compile(r"老毛病|老寒腿|老胃病|多年的|好多年了|几十年了|\bfor years\b|\bchronic\b|\bold complaint\b|"
                       r"\b(?:always|usually)\s+(?:has|had|gets|does)\b")
_FIRE_DENIED_RE = _compile(f"{_FIRE_DENIED_ZH}|{_FIRE_DENIED_EN}")
_LAUGHING_RE = _compile(r"哈哈|呵呵|\bha(?:ha)+\b|\blol\b|😂|🤣")
_ALREADY_RE = _compile(r"已经|\balready\b")

@dataclass(frozen=True)
class EmergencyMatch:
    pattern: str
    excerpt: str


def _window(text: str, found: re.Match[str]) -> str:
    return text[max(0, found.start() - _BEFORE): found.end() + _AFTER]


def _strong_counts(text: str, found: re.Match[str]) -> bool:
    """Danger words count unless told as a story, a hypothesis, long ago, or a past event asked about."""
    around = _window(text, found)
    if _NOW_RE.search(around):
        return True
    if _FICTION_RE.search(around) or _HYPOTHETICAL_RE.search(around) or _IN_CARE_RE.search(around):
        return False
    if _AMBULANCE_WORD_RE.search(found.group(0)) and _NUMBER_INFO_RE.search(around):
        return False
    if (_DISTANT_PAST_RE.search(around) or _PAST_RE.search(around)) and _RESOLVED_RE.search(around):
        return False
    if _DISTANT_PAST_RE.search(around) and not _CURRENT_RE.search(around):
        return False
    past_question = _PAST_RE.search(around) and (_ADMIN_RE.search(around) or _EDU_RE.search(around) or _CANCEL_RE.search(around)
                                                 or _SERVICE_RE.search(around))
    return not past_question


def _weak_counts(text: str, found: re.Match[str], kind: str) -> bool:
    """Ambiguous danger words count unless anything around them gives a harmless reading."""
    around = _window(text, found)
    if _NOW_RE.search(around):
        return True
    if any(safe.search(around) for safe in _SAFE_RE) or _IN_CARE_RE.search(around):
        return False
    if kind == "ambulance" and _NUMBER_INFO_RE.search(around):
        return False
    # "help me, I need a volunteer to take me shopping": a request, not a cry for help.
    return not (kind == "help" and _REQUEST_RE.search(around))


def _scripts(text: str) -> set[str]:
    return {lang for lang, present in (("zh", _CJK), ("en", _LATIN)) if present.search(text)}


def _masked(text: str, scripts: set[str]) -> str:
    """``text`` with its harmless uses of danger words (:data:`_MASKS`) blanked out."""
    for lang in scripts:
        text = _MASK_RE[lang].sub(lambda m: " " * len(m.group(0)), text)
    return text


def _harmless_use_only(text: str, scripts: set[str]) -> bool:
    """A harmless use of a danger word ("热死了", "dying for a cuppa") and no denial or "no joke"
    beside it: what made a classifier say emergency is then explained away."""
    return any(_HARMLESS_USE_RE[lang].search(text) for lang in scripts) and \
        not any(_DENIAL_RE[lang].search(text) for lang in scripts)


def _danger_words(text: str, scripts: set[str]) -> bool:
    return any(lang in scripts and pattern.search(text) for pattern, lang in _STRONG_RE) or \
        any(lang in scripts and pattern.search(text) for pattern, _kind, lang in _WEAK_RE)


def detect(text: str) -> EmergencyMatch | None:
    """The danger pattern a message matches, or None."""
    if len(text) > _HEAD + _TAIL:
        text = text[:_HEAD] + "\n" + text[-_TAIL:]
    text = _normalise(text)
    if not text:
        return None
    scripts = _scripts(text)
    text = _masked(text, scripts)
    for pattern, lang in _STRONG_RE:
        if lang not in scripts:
            continue
        for found in pattern.finditer(text):
            if _strong_counts(text, found):
                return EmergencyMatch(pattern.pattern, found.group(0).strip())
    for pattern, kind, lang in _WEAK_RE:
        if lang not in scripts:
            continue
        for found in pattern.finditer(text):
            if _weak_counts(text, found, kind):
                return EmergencyMatch(pattern.pattern, found.group(0).strip())
    return None


def told_as_over(text: str) -> bool:
    """Danger told as a past event that is over, or asked about for money or a service ("I fell
    last week, it's fine now, can I get grab rails"), a story or a hypothesis, with nothing said
    to be happening now. The classifier alone may not raise an alarm for such a message."""
    text = _normalise(text)
    scripts = _scripts(text)
    masked = _masked(text, scripts)
    if not text or _NOW_RE.search(masked):  # "the parrot just choked" is no now
        return False
    if not _danger_words(masked, scripts) and (_danger_words(text, scripts) or _harmless_use_only(text, scripts)):
        return True  # every danger word in it is a harmless use (an animal, a thing, a figure of speech)
    # a story or a hypothesis read where the masks have not explained it ("我不是开玩笑" is no joke)
    if _FICTION_RE.search(masked) or _HYPOTHETICAL_RE.search(masked) or _FIRE_DENIED_RE.search(text) \
            or _LAUGHING_RE.search(text):
        return True
    if _ALREADY_RE.search(text) and _RESOLVED_RE.search(text):
        return True
    if (_NEAR_MISS_RE.search(text) or _LASTING_RE.search(text)) and not _CURRENT_RE.search(text):
        return True
    if _JUST_TO_KNOW_RE.search(text) and _NUMBER_INFO_RE.search(text):
        return True
    past = _DISTANT_PAST_RE.search(text) or _PAST_RE.search(text)
    return bool(past and (_RESOLVED_RE.search(text) or _ADMIN_RE.search(text) or _SERVICE_RE.search(text)))


def asks_emergency_number(text: str) -> bool:
    """The message asks what the emergency or ambulance number is ("急救电话是多少", "what number
    do I ring for an ambulance, just so I know")."""
    return bool(_ASKS_NUMBER_RE.search(_normalise(text)))


def is_emergency(text: str) -> bool:
    return detect(text) is not None
