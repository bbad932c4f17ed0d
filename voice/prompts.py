"""Fixed prompts of the voice hotline, in Mandarin and English, in one catalogue.

Every prompt here is synthesised at start-up into the prompt cache (:mod:`voice.tts.cache`), so
playing one costs nothing at call time and works when the online voice is unreachable. Prompts
are short and plain, one idea each, for elders on a phone line. Answers that depend on data
come from the dialogue engine and are synthesised when needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice.languages import check_language


@dataclass(frozen=True)
class Prompt:
    key: str
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.zh if check_language(language) == "zh" else self.en


PROMPTS: dict[str, Prompt] = {p.key: p for p in (
    Prompt("welcome", "您好，这里是养老服务热线。请问有什么可以帮您？",
           "Hello, this is the elderly care hotline. How can I help you?"),
    Prompt("choose_language", "普通话请按一，英语请按二。",
           "For Mandarin, press one. For English, press two."),
    Prompt("say_again", "对不起，我没有听清楚，请您再说一遍。",
           "Sorry, I did not catch that. Please say it again."),
    Prompt("not_heard", "我没有听到您说话。请您大声一点，慢慢说。",
           "I did not hear you. Please speak a little louder, and take your time."),
    Prompt("yes_no_menu", "是的请按一，不是请按二，转人工咨询请按零。",
           "Press one for yes, two for no, or zero for a consultant."),
    Prompt("confirm_prompt", "请说“是”或者“不是”。",
           "Please say yes or no."),
    Prompt("one_moment", "好的，请稍等。",
           "One moment, please."),
    Prompt("still_working", "正在为您查询，请不要挂机。",
           "I am still looking that up. Please stay on the line."),
    Prompt("connecting", "正在为您转接人工咨询员，请稍等。",
           "I am connecting you to a consultant. Please hold."),
    Prompt("consultants_busy", "咨询员都在忙，我们会尽快给您回电话。",
           "All consultants are busy. We will call you back as soon as we can."),
    Prompt("emergency", "如果情况紧急，请马上拨打一二零急救电话。",
           "If this is an emergency, please hang up and call one two zero for an ambulance now."),
    Prompt("technical_problem", "对不起，系统出了点问题，正在为您转接人工服务。",
           "Sorry, something went wrong. I am connecting you to a person."),
    Prompt("anything_else", "请问还有别的需要吗？",
           "Is there anything else I can help you with?"),
    Prompt("goodbye", "感谢您的来电，祝您身体健康，再见。",
           "Thank you for calling. Take care, goodbye."),
    # the call session (voice/hotline): who is calling, never silent, waiting for a person
    Prompt("greet_unknown", "您好，这里是养老服务热线。说普通话请按一，或者直接说话。",
           "Hello, this is the elderly care hotline. For English, press two, or just speak."),
    Prompt("reprompt", "您还在吗？请告诉我您需要什么帮助。",
           "Are you still there? Please tell me how I can help."),
    Prompt("keypad_offer", "您也可以用电话按键：是请按一，不是请按二，找人工请按零。",
           "You can also use the keypad: one for yes, two for no, zero for a person."),
    Prompt("no_answer_goodbye", "我一直没有听到您的声音，先挂断了。需要帮助请随时再打来，再见。",
           "I still cannot hear you, so I will end the call now. Please call again any time. Goodbye."),
    Prompt("line_trouble", "对不起，系统暂时出了问题，请稍后再打过来。再见。",
           "Sorry, the system is having trouble. Please call again a little later. Goodbye."),
    Prompt("queue_next", "您是下一位，咨询员马上就来，请不要挂机。",
           "You are next in line. A consultant will be with you shortly. Please stay on the line."),
    Prompt("queue_wait", "您前面还有{ahead}位，大约要等{minutes}分钟，请不要挂机。",
           "There are {ahead} callers ahead of you. The wait is about {minutes} minutes. Please stay on the line."),
    Prompt("with_consultant_hold", "咨询员正在为您处理，请稍等。",
           "A consultant is looking into it for you. Please hold on."),
    Prompt("choice_item", "{title}请按{number}。",
           "For {title}, press {number}."),
    Prompt("nothing_to_repeat", "我还没有说什么。请问有什么可以帮您？",
           "I have not said anything yet. How can I help you?"),
)}


def prompt_text(key: str, language: str, **values: object) -> str:
    """The text of fixed prompt ``key`` in ``language`` (KeyError for an unknown key); a prompt
    with fields (``{ahead}``) is filled from ``values`` and is not cached (:func:`has_fields`)."""
    text = PROMPTS[key].text(language)
    return text.format(**values) if values else text


def has_fields(key: str) -> bool:
    """A prompt with fields is made when it is said, not warmed into the cache."""
    prompt = PROMPTS[key]
    return "{" in prompt.zh or "{" in prompt.en
