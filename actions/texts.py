"""Everything the action server says, in Mandarin and English. Short sentences, meant to be
spoken as well as read: one idea each, the question last."""

from __future__ import annotations

from typing import Any

from knowledge.wording import say_from

T: dict[str, dict[str, str]] = {
    # policies
    "policy_intro": {"zh": "{title}：{summary}", "en": "{title}: {summary}"},
    "policy_amount": {"zh": "标准是{amount}。", "en": "It is {amount}."},
    "policy_more_hint": {"zh": "想知道怎么申请，可以说“详细说说”。", "en": "Say \"tell me more\" to hear how to apply."},
    "policy_also": {"zh": "相关的还有：{titles}。", "en": "Related: {titles}."},
    "policy_not_found": {"zh": "没有找到相关的政策。您可以换个说法，比如“高龄津贴”或者“上门服务补贴”。",
                         "en": "I couldn't find a matching policy. Try other words, such as \"old-age allowance\" or \"home-care subsidy\"."},
    "policy_which": {"zh": "您想了解哪项政策或补贴？", "en": "Which policy or subsidy would you like to know about?"},
    "policy_details": {"zh": "{title}。{details}", "en": "{title}. {details}"},
    "policy_apply": {"zh": "怎么申请：{how}", "en": "How to apply: {how}"},
    "policy_who": {"zh": "条件是：{criteria}。", "en": "Who qualifies: {criteria}."},
    "policy_everyone": {"zh": "本地老人都可以参加。", "en": "It is open to every elder in the district."},
    # eligibility
    "elig_yes": {"zh": "按登记的情况，{who}符合{title}的条件：{reasons}。", "en": "From what I have, {title} is open to {who}: {reasons}."},
    "elig_no": {"zh": "按登记的情况，{who}暂时不符合{title}的条件，因为要求{reasons}。", "en": "From what I have, {title} is not open to {who} yet, because it requires: {reasons}."},
    "elig_unknown": {"zh": "我还缺一些情况，暂时没法判断{title}。", "en": "I'm missing some facts, so I can't tell yet about the {title}."},
    "elig_about": {"zh": "我帮您看看{title}。", "en": "Let me check the {title}."},
    "elig_then_apply": {"zh": "{how}", "en": "{how}"},
    "elig_alternatives": {"zh": "不过{who}可以看看这些：{titles}。", "en": "But {who} may qualify for: {titles}."},
    "elig_list": {"zh": "{who}符合条件的有：{titles}。想了解哪一项？", "en": "What {who} can get: {titles}. Which would you like to hear about?"},
    "elig_list_none": {"zh": "按登记的情况，{who}暂时没有符合条件的补贴。要不要我帮您转给工作人员问问？", "en": "From what I have, no subsidy is open to {who} yet. Would you like me to connect you to a member of staff?"},
    "who_you": {"zh": "您", "en": "you"},
    "who_elder": {"zh": "这位老人", "en": "the elder"},
    "fact_not_understood": {"zh": "不好意思，我没听清。", "en": "Sorry, I didn't catch that."},
    # service points
    "points_intro": {"zh": "离{place}最近的{kind}：", "en": "Nearest {kind} to {place}:"},
    "point_line": {"zh": "{name}，大约{distance}，{hours}，电话{phone}。", "en": "{name}, about {distance}, {hours}, phone {phone}."},
    "point_line_nophone": {"zh": "{name}，大约{distance}，{hours}。", "en": "{name}, about {distance}, {hours}."},
    "point_open_now": {"zh": "现在开着", "en": "open now"},
    "point_closed_now": {"zh": "现在没开门，{next}开门", "en": "closed now, opens {next}"},
    "point_closed": {"zh": "现在没开门", "en": "closed now"},
    "points_none": {"zh": "附近没有找到{kind}。要不要我帮您转给工作人员？", "en": "I couldn't find a {kind} nearby. Would you like me to connect you to staff?"},
    "place_unknown": {"zh": "我没找到“{place}”这个地方。请再说一下村或社区的名字，或者附近有名的地方。",
                      "en": "I couldn't find \"{place}\". Please tell me the name of the village or community, or a well-known place nearby."},
    "place_ask": {"zh": "请问您在哪个村或者社区？", "en": "Which village or community are you in?"},
    "kind_any": {"zh": "服务点", "en": "service point"},
    # activities
    "activities_intro": {"zh": "近期的活动有：", "en": "Coming up:"},
    "activity_line": {"zh": "{when}，{title}，在{where}，还有{free}个名额。", "en": "{when}: {title} at {where}, {free} places left."},
    "activity_line_full": {"zh": "{when}，{title}，在{where}，已经报满了。", "en": "{when}: {title} at {where}, fully booked."},
    "activities_none": {"zh": "这段时间没有找到活动。", "en": "I couldn't find any activities for that time."},
    "activities_book_hint": {"zh": "想报名的话，说“我要报名”加活动名字。", "en": "To book, say \"book me for\" and the activity."},
    "activity_which": {"zh": "您想报名哪个活动？比如太极、唱歌。", "en": "Which activity would you like to book? For example tai chi or singing."},
    "activity_not_found": {"zh": "没有找到“{what}”这个活动。", "en": "I couldn't find an activity called \"{what}\"."},
    "activity_confirm": {"zh": "我帮{who}报名：{title}，{when}，在{where}。对吗？", "en": "I'll book {who} for {title}, {when}, at {where}. Is that right?"},
    "activity_full_alternatives": {"zh": "这一场已经报满了。", "en": "That session is fully booked."},
    "activity_past": {"zh": "那个时间已经过去了。", "en": "That date has already passed."},
    "activity_no_session_that_day": {"zh": "那天没有这个活动。", "en": "That activity isn't on that day."},
    "activity_next_free": {"zh": "最近还有名额的是{when}。要报这一场吗？", "en": "The next one with places is {when}. Shall I book that one?"},
    "activity_none_free": {"zh": "最近几周都报满了。要不要我帮您转给工作人员？", "en": "It's fully booked for the coming weeks. Would you like me to connect you to staff?"},
    "booked_activity": {"zh": "报好了：{title}，{when}，在{where}。到时候见！", "en": "Booked: {title}, {when}, at {where}. See you there!"},
    # meals
    "meals_intro": {"zh": "助餐服务有：", "en": "Meal services:"},
    "meal_line": {"zh": "{name}，{days}{time}，在{where}，每份{price}{subsidised}{delivery}。", "en": "{name}, {days} {time}, at {where}, {price} a meal{subsidised}{delivery}."},
    "meal_subsidised": {"zh": "，老人优惠价{price}", "en": ", {price} for eligible elders"},
    "meal_delivery": {"zh": "，可以送餐上门（送餐费{fee}）", "en": ", home delivery available ({fee})"},
    "meals_none": {"zh": "没有找到助餐服务。", "en": "I couldn't find a meal service."},
    "meal_confirm": {"zh": "我帮{who}订{day}的{name}，{how}，{price}。对吗？", "en": "I'll order {name} for {who} on {day}, {how}, {price}. Is that right?"},
    "meal_how_delivery": {"zh": "送餐上门", "en": "delivered to the door"},
    "meal_how_pickup": {"zh": "到{where}吃", "en": "eaten at {where}"},
    "booked_meal": {"zh": "订好了：{day}的{name}，{how}。", "en": "Ordered: {name} on {day}, {how}."},
    "meal_which_day": {"zh": "您想订哪天的？", "en": "Which day would you like it for?"},
    # bookings
    "bookings_none": {"zh": "{who}现在没有报名或预约。", "en": "{who} has no bookings at the moment."},
    "bookings_intro": {"zh": "{who}的预约有：", "en": "Bookings for {who}:"},
    "cancel_which": {"zh": "您要取消哪一个？请说序号。", "en": "Which one would you like to cancel? Say its number."},
    "cancel_confirm": {"zh": "要取消{what}，对吗？", "en": "Cancel {what}, is that right?"},
    "cancelled": {"zh": "已经取消了：{what}。", "en": "Cancelled: {what}."},
    "nothing_to_cancel": {"zh": "{who}现在没有可以取消的预约。", "en": "{who} has nothing booked that can be cancelled."},
    # home services and time bank
    "home_service_unknown": {"zh": "这里没有“{what}”这项上门服务。可以预约的有：{names}。", "en": "There's no \"{what}\" home service here. You can book: {names}."},
    "home_service_when_unclear": {"zh": "我没听清时间。", "en": "I didn't catch the time."},
    "home_service_confirm": {"zh": "我帮{who}预约{name}，{when}，费用{price}。对吗？", "en": "I'll request {name} for {who}, {when}, costing {price}. Is that right?"},
    "home_service_requested": {"zh": "已经提交了：{name}，{when}。服务人员会提前打电话确认。", "en": "Requested: {name}, {when}. The provider will phone ahead to confirm."},
    "home_service_unavailable": {"zh": "那个时间没有服务，服务时间是{hours}。请换个时间。", "en": "There's no service at that time; the hours are {hours}. Please choose another time."},
    "volunteer_confirm": {"zh": "我帮{who}申请一位时间银行志愿者，{when}上门陪伴。对吗？", "en": "I'll ask the time bank for a volunteer to visit {who}, {when}. Is that right?"},
    "volunteer_requested": {"zh": "已经申请了，志愿者会提前联系。", "en": "Done: a volunteer will get in touch beforehand."},
    "volunteer_when": {"zh": "希望志愿者哪天几点来？", "en": "When would you like the volunteer to come?"},
    "time_bank_hours": {"zh": "{name}，您在时间银行一共存了{earned}小时，用了{spent}小时，还剩{left}小时。", "en": "{name}, you have banked {earned} hours in the time bank and used {spent}, so {left} hours are left."},
    "time_bank_unknown": {"zh": "我查不到您的志愿者登记。可以到互助点登记，或者我帮您转给工作人员。", "en": "I can't find your volunteer registration. You can register at a mutual-aid point, or I can connect you to staff."},
    # refusals shared by every booking
    "refused_full": {"zh": "不好意思，已经满了。", "en": "Sorry, it's fully booked."},
    "refused_past": {"zh": "那个时间已经过去了。", "en": "That time has already passed."},
    "refused_already_booked": {"zh": "{who}已经报过名了，不用重复报。", "en": "{who} is already booked for that."},
    "refused_not_served": {"zh": "那天不供应。", "en": "It isn't served that day."},
    "refused_too_late": {"zh": "那天的预订已经截止了（{deadline}前订）。", "en": "Orders for that day have closed (order by {deadline})."},
    "refused_no_delivery": {"zh": "这个助餐点不送餐。", "en": "This meal service doesn't deliver."},
    "refused_other": {"zh": "这个没办成。我帮您转给工作人员好吗？", "en": "That didn't work. Shall I connect you to a member of staff?"},
    "need_elder": {"zh": "要办理预约，我需要知道是为哪位老人办理。我帮您转给工作人员登记，好吗？",
                   "en": "To book, I need to know which elder it is for. Shall I connect you to staff to register?"},
    "confirm_dropped": {"zh": "好的，不办了。", "en": "All right, I won't do that."},
    # handoff and emergency
    "handoff": {"zh": "好的，我帮您转给工作人员，请稍等，不要挂机。", "en": "All right, I'm connecting you to a member of staff. Please hold on."},
    "handoff_after_out_of_scope": {"zh": "这个我也帮不上忙。我帮您转给工作人员，请稍等。", "en": "That's something I can't help with either. I'm connecting you to a member of staff; please hold on."},
    "handoff_after_misunderstanding": {"zh": "不好意思，我还是没听明白。我帮您转给工作人员，请稍等。", "en": "Sorry, I still didn't understand. I'm connecting you to a member of staff; please hold on."},
    "emergency": {"zh": "这很紧急！请马上拨打{number}。{advice}我已经通知工作人员，马上联系您。", "en": "This is an emergency! Call {number} now. {advice} I have alerted our staff, who will contact you right away."},
    # names and districts (knowledge/naming.py)
    "district_which": {"zh": "请问老人住在哪个街道或者镇？比如{names}。", "en": "Which district does the elder live in? For example {names}."},
    "district_noted": {"zh": "好的，{district}。", "en": "All right, {district}."},
    "about_home_service": {"zh": "{name}：{description}费用{price}，服务时间{hours}。要预约的话，告诉我哪天几点。",
                           "en": "{name}: {description} It costs {price}; available {hours}. To book, tell me the day and time."},
    "about_price": {"zh": "{name}的费用是{price}。", "en": "{name} costs {price}."},
    "about_activity": {"zh": "{title}：{description}{fee}{next}", "en": "{title}: {description}{fee}{next}"},
    "about_activity_fee": {"zh": "每次{fee}。", "en": " It costs {fee} each time."},
    "about_activity_free": {"zh": "免费参加。", "en": " It is free."},
    "about_activity_next": {"zh": "下一次是{when}，在{where}，还有{free}个名额。", "en": " Next: {when} at {where}, {free} places left."},
    "about_meal": {"zh": "{name}：{days}{time}，在{where}，每份{price}{delivery}。", "en": "{name}: {days} {time}, at {where}, {price} a meal{delivery}."},
    "about_point": {"zh": "{name}：地址是{address}，{hours}{phone}。", "en": "{name}: {address}; {hours}{phone}."},
    "about_point_phone": {"zh": "，电话{phone}", "en": ", phone {phone}"},
    "about_point_hours": {"zh": "开放时间{hours}，{state}", "en": "open {hours}, {state}"},
    "already_booked_session": {"zh": "{who}已经报了{title}，{when}，不用再报。", "en": "{who} is already booked for {title}, {when}; no need to book again."},
    # general
    "language_set": {"zh": "好的，我们说普通话。", "en": "All right, let's speak English."},
    "nothing_to_repeat": {"zh": "我刚才还没说什么。请问有什么可以帮您？", "en": "I haven't said anything yet. How can I help?"},
    "one_moment": {"zh": "请稍等，我查一下。", "en": "One moment, let me check."},
    "trouble": {"zh": "系统有点忙，我帮您转给工作人员，请稍等。", "en": "The system is busy; I'm connecting you to a member of staff. Please hold on."},
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "不是", "en": "No"},
}


def t(key: str, lang: str, **params: Any) -> str:
    return say_from(T, key, lang, **params)
