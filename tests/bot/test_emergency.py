"""The rule-based emergency check: fires on danger said now, stays quiet on the same words in
harmless sentences. The sentences below were written for these tests (not taken from nlu/):
colloquial speech, dialect, speech-recognition errors, typos and no punctuation, as elders and
family members really say things."""

from __future__ import annotations

import time

import pytest

from bot.emergency import EmergencyMatch, detect, is_emergency

ZH_EMERGENCY = [
    # calls for help, speech-recognition errors, 120
    "就命啊 快来人 我爸倒了",
    "救命 救命 有人吗",
    "sos 救救我",
    "急救 急救 快点",
    "紧急情况 我爸摔了头在流血",
    "快叫救户车 老头子倒了",
    "帮我打幺二零",
    "赶紧打一二零 我妈不行了",
    "俺不行了 快来救俺",
    "快点来人 我一个人在家摔了",
    # falls
    "俺娘在灶屋摔了 爬不起来",
    "我婆婆从床上掉下来了 一直喊疼",
    "我在卫生间滑了一跤 腿动不了了",
    "老头子躺在地上 喊他也不答应",
    "我摔倒了 站不起来 快派人来",
    "我妈在楼梯上摔下来了 头上都是血",
    "老伴在洗澡间摔了 出不来",
    "我爸跌了一跤 脑壳磕破了",
    "我孙子说看到奶奶倒在厨房",
    "阿拉姆妈跌跤了 起勿来",
    "我咋站不起来了 腿没知觉",
    # chest and heart
    "胸口像压了块大石头 喘不上来",
    "心口痛得很 浑身冒汗",
    "我爸说心脏不舒服 脸都白了",
    "老伴心脏病犯了 药在哪都找不到",
    "我心跳得好快 要晕了",
    # breathing
    "我气上不来 憋死了",
    "我家老汉呼吸困难 嘴唇都紫了",
    "喘气喘不过来 咋办啊",
    "我喘不动了",
    "透唔到气",
    # stroke
    "我奶奶说话突然含糊不清 嘴角歪了",
    "我爸半边身子突然麻了 手抬不起来",
    "老伴好像中风了 说不出话",
    "我妈突然认不得人了 话也说不清",
    "我爸突然讲话大舌头 嘴也歪了",
    # fainting, not breathing, seizure
    "老太太晕过去了 叫不醒",
    "我爸刚才昏倒在厕所里",
    "我爷爷抽起来了 口吐白沫",
    "喊了半天他都没反应",
    "人没气了 快来",
    "莫得气了 我爸莫得气了",
    "快来人啊 我家老太太昏迷了",
    "妈妈突然倒地 叫她没反应",
    "我老豆晕低咗",
    # choking, bleeding, burns
    "我外婆吃汤圆噎住了 脸都青了",
    "喉咙卡了鱼刺 喘不上气",
    "手被菜刀割了个大口子 血止不住",
    "老伴吐了好多血",
    "老伴烫伤了一大片 皮都掉了",
    # fire, smoke, gas
    "厨房着火了 快来人",
    "屋里全是烟 我出不去",
    "煤气好像漏了 一股味儿",
    # poisoning, overdose
    "我妈把农药当成饮料喝了",
    "我爸把一瓶安眠药都吃了",
    "老伴药吃多了 现在迷迷糊糊的",
    # severe pain, hypoglycaemia
    "肚子痛得在床上打滚",
    "头疼得要炸了",
    "我血糖低了 手抖得厉害",
    "俺头晕 出了一身冷汗 心慌",
    "我爸拉肚子拉得虚脱了 人都站不住",
    # intruders
    "有个陌生男的在撬我家门",
    "半夜有人翻窗户进来了",
    "我家进小偷了 人还在屋里",
    # lost, wandering
    "我妈有老年痴呆 早上出门到现在还没回来",
    "我爸走丢了 他糊涂 认不得路",
    "我迷路了 不晓得这是哪里",
    # dying, not OK, cannot be reached
    "我要死了 胸口好难受",
    "我爸一个人住 电话打了一上午都没人接",
    "敲门没人开 我妈一个人在屋里 我担心出事了",
    # happening now beats a harmless context
    "我妈去年中风过 刚才又中风了 嘴都歪了",
]

ZH_NEAR_MISS = [
    "我昨晚看电视看着看着就睡着了",
    "上个月摔倒的那个医药费能报销不",
    "我妈去年摔了一跤 现在能申请适老化改造吗",
    "我爸前年中风过 能不能领护理补贴",
    "老伴心梗做过支架 有没有慢病补助",
    "电视剧里那个老太太晕倒了 演得真像",
    "孙子玩游戏天天喊救命 烦得很",
    "这个政策对我们来说就是救命稻草",
    "这笔钱是我的救命钱 啥时候发",
    "有没有防跌倒的讲座 我想去听",
    "社区的急救培训哪天开课",
    "家里要不要装个紧急呼叫按钮 有补贴没",
    "我手机摔了 屏幕碎了 咋修",
    "碗摔碎了 没啥事",
    "股票又跌了 心里难受",
    "热死了 今天多少度",
    "笑死我了 你这个机器人真逗",
    "帮帮忙 给我订个午饭",
    "能不能帮我报个太极",
    "麻烦帮我叫个人上门打扫",
    "我要找卫生站 不急",
    "救护车费用老年人能减免不",
    "打120要收钱吗",
    "昨天救护车把我爸接去医院了 这几天的饭都不要了",
    "我妈住院了 下周的太极课取消",
    "万一摔倒了起不来 有没有一键呼叫的设备",
    "老人摔倒了应该怎么扶 有没有这方面的课",
    "我做梦梦见自己从楼上掉下来了",
    "我爸中风后遗症 说话不清楚 能上门做康复不",
    "我这个人说话说不清楚 你多担待",
    "我腿以前摔断过 走路不利索 能申请轮椅不",
    "胸口以前开过刀 有没有补助",
    "我妈有哮喘 平时要注意啥",
    "老伴低血糖 平时吃什么好",
    "我心里难受 儿子不来看我",
    "一个人在家憋得慌 有啥活动",
    "走失老人的信息在哪里登记",
    "我家猫走丢了",
    "我想找个地方学急救",
    "小区搞消防演习 说是着火了要往下跑",
    "我爸以前抽烟 现在戒了",
    "我前几天在楼下滑了一跤 没啥事 就是想问问有没有防滑垫补贴",
    "我爸说他心脏不好 能不能订低盐的饭",
    "我婆婆上次晕倒以后 医生说要有人陪 能申请陪护吗",
    "楼上邻居吵得要死",
    "我饿得要死了 饭啥时候送来",
    "这天气冷得要命",
    "老伴的助听器掉了",
    "我想报名那个防摔倒的课",
    "听说摔倒了可以申请补贴 是真的吗",
    "我家老头子中风好几年了 天天躺床上 有没有上门护理",
    "我妈脑梗以后一直在康复 能享受长护险吗",
    "去年冬天我爸煤气中毒住过院 现在有补助吗",
    "你们这个电话是急救电话吗",
    "我爸以前当过消防员 救过好多火",
    "帮我查一下 我那个保险里包不包括救护车",
    "我孙子在电话里说他出事了 要我转钱 是不是骗子",
    "我刚才在沙发上睡着了 没听到电话",
    "电视上说老人摔倒了不要马上扶",
    "我妈看新闻说有人煤气泄漏 我们家要不要装报警器",
    "我爸心脏不太好 血压也高 想找个家庭医生",
    "我老伴以前脑出血 现在说话还不太清楚",
    "跌倒险是什么保险",
    "我在广场上看到一个老人摔倒了 我们把他扶起来了 没事",
    "我一个人住 电话费能不能优惠",
    "医院让我们叫救护车转院 费用怎么算",
    "我睡着了",
    "上次摔倒的补贴",
]

EN_EMERGENCY = [
    # calls for help, typos, ambulance
    "help me please i cant get up off the floor",
    "hlep hlep",
    "please help quick",
    "sos",
    "emergency please",
    "call 120 now",
    "need an ambulance at osmanthus court",
    "ambulence please hurry",
    "please come quickly my husband has collapsed",
    "I'm not ok please send someone",
    "save me please",
    # falls
    "mum has fallen in the garden and cant get up",
    "dad tripped on the rug and hit his head its bleeding",
    "i slipped in the shower and i think my hip is broken",
    "my wife fell down the stairs she isn't moving",
    "i'm lying on the kitchen floor please send someone",
    "my father fell out of bed and can't get back up",
    "she's been on the bathroom floor all night",
    "dad fell off a ladder in the garden",
    "I've fallen and I'm stuck between the bed and the wall",
    "help my neighbour is lying in the street",
    "mum took a bad fall and her wrist looks broken",
    # chest, heart
    "chest pains really bad can hardly breathe",
    "my chest feels tight and my left arm hurts",
    "husband clutching his chest says it feels like an elephant sitting on it",
    "i think my heart is going to stop",
    "chess pain",
    "I feel really faint and my heart is racing",
    # breathing
    "cant breath help",
    "can't breed",
    "mum is gasping and her lips are going blue",
    "he's wheezing and can't catch his breath",
    "he's not breathing properly",
    # stroke
    "my dad's face has gone all droopy on one side",
    "she's slurring her words and can't lift her arm",
    "i think grandma is having a stroke right now",
    "he suddenly can't speak and his right side is weak",
    "my husband's speech went funny all of a sudden",
    "i can't feel my legs",
    # fainting, unresponsive, seizure
    "grandad collapsed in the bathroom",
    "my husband passed out and won't come round",
    "mum's unconscious on the sofa",
    "he's not breathing what do i do",
    "my father is having a seizure",
    "granny fainted in the queue at the shop",
    "my wife can't wake up",
    # choking, bleeding, burns
    "she's choking on a sweet",
    "dad has something stuck in his throat",
    "he has a fishbone stuck in his throat",
    "i cut my hand badly and theres blood everywhere",
    "he's coughing up blood",
    "he's burnt his arm badly on the stove",
    # fire, smoke, gas
    "my kitchen is on fire",
    "theres smoke coming from under the door",
    "i can smell gas in the flat",
    # poisoning, overdose
    "mum swallowed a bottle of her sleeping pills",
    "my husband took double his insulin by mistake",
    "my mum has taken the wrong tablets and feels faint",
    # severe pain, hypoglycaemia, fever
    "i have the worst pain in my stomach ever",
    "sudden terrible headache and i'm being sick",
    "my sugar is really low and i'm shaking",
    "dad's having a hypo and he's confused",
    "my mum is very confused and burning up with fever",
    # intruders
    "there's someone trying to break in through my back door",
    "a man has got into my flat and won't leave",
    "someone broke my window and is inside the house",
    # lost, wandering, unreachable
    "my mum has dementia and she's wandered off",
    "i'm lost i don't know where i am",
    "dad went out this morning and hasn't come back, he has alzheimer's",
    "nan isn't answering her phone and she lives alone, I'm really worried",
    # dying
    "i think i'm dying",
    # happening now beats a harmless context
    "mum had a stroke last year and I think she's having another one right now",
]

EN_NEAR_MISS = [
    "sorry I fell asleep in my chair, what were you saying",
    "I nearly fell asleep during the health talk",
    "mum had a stroke last spring, is she entitled to a care allowance",
    "mom had a stroke last year, can she get anything",
    "my dad had a heart attack a few years ago, can he get a discount on meals",
    "is there any grant for people who have had falls",
    "what's the best way to prevent falls at home",
    "do you run a falls prevention class",
    "my grandson keeps shouting help in his video game",
    "there was a woman who collapsed on the tv show last night",
    "my phone fell in the bath",
    "my hearing aid keeps falling out",
    "my glasses fell behind the sofa",
    "help me find the nearest canteen",
    "can you help me book tai chi for Thursday",
    "could you help me fill in the allowance form",
    "help me carry my shopping upstairs please",
    "can someone help me have a shower on Friday",
    "save me a seat at the singing",
    "please save me a supper for tonight",
    "I'm dying for a cup of tea",
    "I'm dying to see the new garden at the day centre",
    "the ambulance took dad in last night, please cancel his meals",
    "mum was taken to hospital by ambulance on Monday, stop her lunches",
    "is the emergency button free for people over 80",
    "who is my emergency contact on file",
    "it's not an emergency but can someone ring me back",
    "what should I do if my husband falls",
    "what are the signs of a stroke",
    "is there a first aid course for carers",
    "the fire alarm needs a new battery",
    "can I book the fire safety talk",
    "my mum fell over last month but she's fine now, can she still do tai chi",
    "dad slipped on the ice in January, does insurance cover the physio",
    "she broke her wrist two years ago and still can't lift heavy things, can someone help with cleaning",
    "he has had a few falls this year, could we get grab rails",
    "I'm lost, which number do I press for meals",
    "the bus wasn't moving so I missed the lunch",
    "my car broke down, can a volunteer drive me to the clinic",
    "our cat fell off the roof",
    "grandma loves watching people fall over on funny videos",
    "the price of pork has fallen again",
    "I'm sick of waiting for the cleaner",
    "I don't feel like going to the singing today",
    "I'm not well enough to come to tai chi, cancel it",
    "my heart goes out to the volunteers",
    "the smoke from next door's barbecue is annoying",
    "my husband smokes too much, is there a class to quit",
    "we had a fire drill at the day centre",
    "please help me with the application",
    "can a volunteer help me go to the shops",
    "I need help getting to the hospital for my appointment on Tuesday",
    "she lives on the ground floor so the stairs aren't a problem",
    "my mum passed away last year, do I need to cancel her allowance",
    "dad died in March, please stop his meals",
    "the lunch yesterday was so spicy I thought I was dying",
    "I'd like to book the stroke support group",
    "my husband had a mini stroke in 2019, can he get a care bed",
    "I keep getting short of breath on the stairs, can I get a stairlift",
    "my breathing is fine, just my knees are bad",
    "my mum keeps wandering round the house at night, can someone sit with her",
    "dad wanders off sometimes, is there a GPS watch subsidy",
    "I spilled tea on the floor, can someone come and clean",
    "my grandson plays a game where you have to save me from the zombies",
    "my hip was broken in the fall last winter, can I get home help",
    "my dad fell out with my brother, they don't speak",
    "I fell asleep",
    "my phone fell in the toilet",
]


@pytest.mark.parametrize("text", ZH_EMERGENCY + EN_EMERGENCY)
def test_fires_on_danger_now(text: str) -> None:
    assert detect(text) is not None, text


@pytest.mark.parametrize("text", ZH_NEAR_MISS + EN_NEAR_MISS)
def test_quiet_on_harmless_sentences(text: str) -> None:
    found = detect(text)
    assert found is None, (text, found)


def test_enough_cases_per_language() -> None:
    for cases in (ZH_EMERGENCY, ZH_NEAR_MISS, EN_EMERGENCY, EN_NEAR_MISS):
        assert len(cases) >= 60
        assert len(set(cases)) == len(cases)


def test_match_names_the_pattern_and_the_words() -> None:
    found = detect("喂 我喘不上气了 快来")
    assert isinstance(found, EmergencyMatch)
    assert "喘不上" in found.excerpt
    assert found.pattern
    assert is_emergency("I can't breathe") and not is_emergency("I fell asleep")


@pytest.mark.parametrize("text", ["", "   ", "\n", "？", "..."])
def test_empty_or_punctuation_only(text: str) -> None:
    assert detect(text) is None


def test_full_width_and_traditional_characters() -> None:
    assert is_emergency("ＨＥＬＰ！")
    assert is_emergency("我喘不過氣")
    assert is_emergency("快叫救護車")


def test_danger_at_the_end_of_a_long_message_is_still_found() -> None:
    filler = "我想问一下明天的午饭有没有 " * 400  # about 5,600 characters
    assert detect(filler) is None
    assert is_emergency(filler + " 我爸倒在地上叫不醒")
    assert is_emergency("blah " * 2000 + "help I've fallen and can't get up")


def test_fast_on_long_messages() -> None:
    text = ("我想订明天的午饭 送到桂花村 I'd like lunch tomorrow please " * 100)[:5000]
    start = time.perf_counter()
    for _ in range(20):
        detect(text)
    assert (time.perf_counter() - start) / 20 < 0.05
