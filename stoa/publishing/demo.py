"""Demo content for publishing: The Practice Review's people, sections, posts and pages."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from stoa.publishing import services
from stoa.publishing.models import Category, Page, Person, Post, PostStatus, PostVisibility, Tag

# The texts below use a light markup so that they stay readable here and within the line length:
# a blank line separates blocks; "## " starts a subheading, "> " a blockquote and "- " a list
# item. Inline HTML (<em>, <strong>, <a>) is written as is, as an editor would type it.
_BLOCK_BREAK = re.compile(r"\n\s*\n")


def _squash(text: str) -> str:
    """Join a wrapped text into one line."""
    return " ".join(text.split())


def _html(text: str) -> str:
    """Turn the light markup of a demo text into the HTML body an editor would write."""
    blocks = []
    for chunk in _BLOCK_BREAK.split(text.strip()):
        lines = [line.strip() for line in chunk.strip().splitlines()]
        if lines[0].startswith("## "):
            blocks.append(f"<h2>{_squash(' '.join(lines))[3:]}</h2>")
        elif lines[0].startswith("> "):
            quote = " ".join(line.removeprefix("> ") for line in lines)
            blocks.append(f"<blockquote><p>{quote}</p></blockquote>")
        elif lines[0].startswith("- "):
            items: list[str] = []
            for line in lines:
                if line.startswith("- "):
                    items.append(line[2:])
                else:
                    items[-1] += f" {line}"
            blocks.append("<ul>\n" + "\n".join(f"<li>{item}</li>" for item in items) + "\n</ul>")
        else:
            blocks.append(f"<p>{' '.join(lines)}</p>")
    return "\n".join(blocks)


@dataclass(frozen=True)
class _PostSpec:
    """One demo post as written; build() turns it into a Post with a date."""

    title: str
    dek: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    text: str
    excerpt: str = ""
    # SCHEDULED here means "goes out three days after the demo is loaded".
    status: str = PostStatus.PUBLISHED
    featured: bool = False
    sticky: bool = False
    comments_open: bool = True
    # The business column's longer pieces are for members; other readers get their teaser.
    members_only: bool = False


@dataclass(frozen=True)
class _PageSpec:
    """One demo page as written."""

    title: str
    text: str
    parent: str = ""
    show_in_menu: bool = False
    menu_order: int = 0


PEOPLE: list[tuple[str, str]] = [
    (
        "Helen Marsh",
        """
        Helen Marsh is the editor of The Practice Review. She worked for eleven years as a school
        counselor before moving into journalism, and still keeps a small supervision caseload. She
        lives in Providence with a patient husband and an impatient dog.
        """,
    ),
    (
        "Ruth Abernathy",
        """
        Ruth Abernathy, LMFT, has practiced family therapy for more than twenty-five years, most of
        them in community clinics in the upper Midwest. She directs a postgraduate training program
        in systemic therapy and writes about the questions that move families when advice does not.
        """,
    ),
    (
        "Daniel Ferreira",
        """
        Daniel Ferreira, PhD, is a clinical psychologist who specializes in the treatment of
        complex trauma. He divides his week between a hospital outpatient program and a small
        private practice, and teaches a seminar on phase-oriented treatment for early-career
        clinicians.
        """,
    ),
    (
        "Priya Venkataraman",
        """
        Priya Venkataraman, LCSW, is a clinical social worker in group private practice in
        Philadelphia and writes our column on the business of therapy. Before training as a
        therapist she spent six years as a hospital billing manager, which she calls the best and
        worst preparation imaginable.
        """,
    ),
    (
        "Tomas Lindqvist",
        """
        Tomas Lindqvist, MD, is a psychiatrist with a special interest in sleep and the physiology
        of mood. He consults to several primary care practices, and in his writing tries to give
        therapists research they can use without overselling it.
        """,
    ),
    (
        "Marcus Oyelaran",
        """
        Marcus Oyelaran, LPC, has counseled adolescents in schools, juvenile justice settings and,
        now, outpatient practice. He presents widely on engaging teenagers who did not ask to be in
        therapy, and coaches a middle-school track team on weekends.
        """,
    ),
    (
        "Claire Devereux",
        """
        Claire Devereux, PsyD, is a psychologist, couples therapist and longtime clinical
        supervisor in Seattle. Her interests include silence, ruptures in the therapeutic
        relationship, and the slow work of learning from one's own mistakes in the room.
        """,
    ),
]

# (name, parent, description): parents come before their children.
CATEGORIES: list[tuple[str, str, str]] = [
    (
        "Clinical Practice",
        "",
        "Technique, case thinking and the therapeutic hour itself, by clinicians for clinicians.",
    ),
    (
        "Trauma",
        "Clinical Practice",
        "Treating traumatic stress, from the first weeks of stabilization to the long middle.",
    ),
    (
        "The Business of Therapy",
        "",
        "Fees, referrals, records and the craft of keeping a practice open for the long haul.",
    ),
    (
        "Brain & Body",
        "",
        "Research on sleep, the nervous system and the body, translated for the consulting room.",
    ),
    (
        "Couples & Families",
        "",
        "Systemic work with partners, parents, children and everyone else who shares a kitchen.",
    ),
    (
        "Practitioner Exchange",
        "",
        "Interviews, webcast clips, letters and conversations among working therapists.",
    ),
    (
        "Supervision & Training",
        "Practitioner Exchange",
        "How clinicians learn the work and pass it on, from first practicum to consultation.",
    ),
]

TAGS: list[str] = [
    "adolescents",
    "anxiety",
    "attachment",
    "burnout",
    "case study",
    "chronic pain",
    "countertransference",
    "couples therapy",
    "depression",
    "documentation",
    "editor's note",
    "ethics",
    "fees",
    "grief",
    "interview",
    "mindfulness",
    "neuroscience",
    "parenting",
    "private practice",
    "PTSD",
    "research",
    "rupture and repair",
    "shame",
    "sleep",
    "supervision",
    "telehealth",
    "webcast",
]

# Newest first: the post going out soon, the ones still in the editors' hands, then the archive.
POSTS: list[_PostSpec] = [
    _PostSpec(
        title="After the Affair: The Second Year",
        dek="The crisis has passed but the repair is unfinished. What couples need next",
        authors=("Ruth Abernathy",),
        categories=("Couples & Families",),
        tags=("couples therapy", "shame", "rupture and repair"),
        status=PostStatus.SCHEDULED,
        text="""
        Much of what is written about infidelity in couples therapy concerns the first months after
        discovery: the shock, the questions at three in the morning, the decision about whether to
        stay. Far less attention goes to what comes after, when the crisis has passed and the
        couple has decided, at least for now, to stay together.

        In my experience, the second year is where many recoveries quietly stall. The intense
        conversations of the early months have stopped. The partner who had the affair feels they
        have apologized enough and wants to move on. The hurt partner finds that the questions have
        not gone away, only gone underground, and now feels guilty for still having them.

        ## Common stuck points

        - <strong>The apology that has expired.</strong> "How many times do I have to say sorry?"
          is a question that usually means the hurt partner is about to stop asking out loud.
        - <strong>Triggers on the calendar.</strong> The anniversary of the discovery, the other
          person's birthday, a particular restaurant. These can ambush a couple who believed the
          worst was over.
        - <strong>The affair as the only story.</strong> Sometimes a couple becomes so focused on
          the betrayal that the problems in the marriage before it cannot be discussed, because
          naming them feels like excusing it.

        ## What helps now

        In this phase I tend to shift the work from crisis management toward something closer to
        rebuilding. We talk about what the relationship was like before the affair, including the
        parts neither partner wants to return to. We work out how the hurt partner can raise a
        resurfacing doubt without it becoming a new crisis, and how the other partner can respond
        without defensiveness. And we give a good deal of attention to shame, which usually sits
        with both partners, in different forms.

        Recovery after an affair is rarely a straight line. Couples who know that in advance tend
        to be kinder to themselves when the path bends.
        """,
    ),
    _PostSpec(
        title="Chronic Pain and the Therapeutic Alliance",
        dek="Why clients in pain often arrive braced for disbelief, and how to lower the guard",
        authors=("Tomas Lindqvist",),
        categories=("Brain & Body", "Clinical Practice"),
        tags=("chronic pain", "research", "depression"),
        status=PostStatus.PENDING,
        text="""
        Many people living with chronic pain come to therapy after years of medical appointments in
        which they have felt doubted. They have been told their scans look normal, that they should
        try to relax, that it might be "stress." By the time they reach a therapist's office, often
        on a physician's referral, they may be bracing for one more professional to suggest that
        the pain is all in their head.

        That expectation shapes the first sessions more than we sometimes realize. A client who
        hears a referral to psychological treatment as proof that nobody takes their pain seriously
        is unlikely to engage, however good the treatment.

        ## Starting with belief

        The first task, in my experience, is to make clear that you believe the pain is real. This
        is not a clinical courtesy; it is simply accurate. Pain science now understands pain as
        something the brain produces in response to many inputs, among them tissue damage,
        sensitization of the nervous system, mood, attention and context. That does not make pain
        imaginary. It makes it complicated, and it is why psychological approaches can genuinely
        help.

        Cognitive behavioral therapy for pain and acceptance and commitment therapy both have
        evidence for improving function and quality of life, even where pain intensity changes only
        modestly. Saying this honestly at the outset helps: the aim is not to prove the pain is
        psychological, but to help the person live more fully alongside it.

        ## A few things that help

        - Ask about the person's history with health care, and hear the frustration without
          defending your colleagues.
        - Measure progress by what the client can do again, not only by how much it hurts.
        - Work alongside the medical team rather than instead of it, and say so.

        Pain that is believed is not cured. But it is often more bearable, and a client who feels
        believed is far more likely to do the work that helps.
        """,
    ),
    _PostSpec(
        title="Insurance Panels: In, Out, or Somewhere in Between",
        dek="Weighing the trade-offs of accepting insurance in a small practice",
        authors=("Priya Venkataraman",),
        categories=("The Business of Therapy",),
        tags=("private practice", "fees", "documentation"),
        status=PostStatus.DRAFT,
        text="""
        Few decisions in private practice generate as much heat as whether to join insurance
        panels. Clinicians who accept insurance are sometimes told they are undervaluing
        themselves; clinicians who don't are sometimes told they are abandoning clients who cannot
        pay out of pocket. Neither accusation helps much, and both ignore the fact that most
        practices end up somewhere in between.

        ## The case for joining

        Accepting insurance widens the pool of people who can afford to see you, often
        dramatically. It can fill a new practice faster than any marketing. And for many clients,
        being able to use benefits they already pay for is a matter of basic fairness.

        ## The case against

        Reimbursement rates vary widely and are often lower than private fees. Billing takes time,
        or costs money if you hand it to a service. Claims are denied, delayed and occasionally
        clawed back months later. Some plans ask for diagnoses or treatment reports that clinicians
        are uneasy sharing, and some cap the number of sessions in ways that do not match the
        clinical need.

        ## Middle paths

        - Join one or two panels with reasonable rates, rather than every panel that will have you.
        - Offer out-of-network support, such as a detailed statement clients can submit for
          reimbursement themselves.
        - Hold a fixed number of in-network places, and keep the rest of the caseload private pay.

        Whatever you decide, write down why, and revisit the decision every couple of years. Rates
        change, panels open and close, and your practice changes too.

        [Note for editing: Priya is gathering reader examples of each approach; we may add two
        short profiles before this runs.]
        """,
    ),
    _PostSpec(
        title="Teaching Trainees to Sit With Not Knowing",
        dek="Notes from a supervisor on the anxiety of the first practicum year",
        authors=("Claire Devereux",),
        categories=("Supervision & Training",),
        tags=("supervision", "anxiety"),
        status=PostStatus.DRAFT,
        text="""
        Every autumn a new group of trainees arrives in my supervision group, and every autumn,
        within a few weeks, one of them asks some version of the same question: <em>How do I know
        what to do next in a session?</em> The honest answer, that often they won't, is not the one
        they are hoping for.

        Early training, for good reasons, gives students structure: assessment protocols, treatment
        manuals, lists of interventions. These are valuable. But they can also leave the impression
        that a competent therapist always knows what is happening in the room and what to do about
        it. Trainees then experience their own uncertainty as evidence that they are failing.

        ## Making uncertainty discussable

        In supervision I try to make not knowing ordinary. A few things I do:

        - I bring current cases of my own in which I am unsure, and think through them aloud.
        - When a trainee presents a session, I ask first what they were wondering, not what they
          did.
        - I ask them to notice what happens in their bodies when they don't know what to say, and
          to treat that as information about the session, not only about themselves.

        I also try to be clear that tolerating uncertainty is not the same as having no framework.
        A therapist who can hold a question open for a while, while still thinking carefully about
        the client, is doing something quite different from a therapist who is simply lost.

        Over the year, the question changes. By spring, trainees are less likely to ask what to do,
        and more likely to say something like, "I didn't know what was going on, so I waited, and
        then she told me." That, to me, is what learning this work looks like.
        """,
    ),
    _PostSpec(
        title="From the Editor: Opening the Conversation",
        dek="Why every article now has a discussion beneath it, and what we ask of you there",
        authors=("Helen Marsh",),
        categories=("Practitioner Exchange",),
        tags=("editor's note", "ethics"),
        sticky=True,
        excerpt="""
        Every article on The Practice Review is now open for discussion. Our editor explains why we
        resisted for so long, and the few house rules we are asking readers to keep.
        """,
        text="""
        For most of this magazine's life, the conversation about what we published happened
        somewhere else: in letters that arrived weeks later, in consultation groups, in hallways at
        conferences, and occasionally in a sharp email to me at eleven at night. Starting this
        month, it can happen here. Every article on <em>The Practice Review</em> now has a
        discussion beneath it, open to registered readers.

        We resisted this for a long time, and it is worth saying why. Therapists are careful people
        in a careful profession. We worried that comment threads would reward speed over thought,
        that they would drift into the point-scoring that makes so much of the internet exhausting,
        and that someone, sooner or later, would describe a client in enough detail to be
        recognized.

        ## What we are asking of you

        Those worries have not gone away, so we have written them into a short set of house rules.
        The full version lives in our <a href="/about/editorial-standards/">editorial
        standards</a>; the short version is this:

        - Write about ideas and practice, not about identifiable people. Change the details, or
          leave the story out.
        - Disagree with the argument, not the person making it. Our contributors are colleagues,
          not opponents.
        - Say where you are speaking from. A trainee's question and a veteran's hunch are both
          welcome, and both are easier to read when we know which is which.
        - If a thread touches on someone's safety, take it to a supervisor or a crisis line, not a
          comment box.

        Every first comment from a new reader is read by one of our editors before it appears. That
        will slow things down, at least at first. We think it is a fair price.

        > The best conversations in our field have always been slow ones: a question raised in
        supervision and answered, months later, by a case.

        That line comes from a letter a reader sent us years ago, and it has been pinned above my
        desk ever since. We hope the discussions here can be slow in the same good way. Tell us
        what you think, below, naturally.
        """,
    ),
    _PostSpec(
        title="The Pause Before the Answer",
        dek="Claire Devereux on why silence in the session is rarely as empty as it feels",
        authors=("Claire Devereux",),
        categories=("Practitioner Exchange", "Clinical Practice"),
        tags=("webcast", "countertransference", "rupture and repair"),
        featured=True,
        text="""
        Most of us were trained, one way or another, to fill silences. In graduate school the pause
        after a client stops talking can feel like a test we are failing, and the urge to say
        something, a reflection or a question or anything at all, arrives almost before the client
        has finished the sentence.

        In this clip, psychologist Claire Devereux makes the case for waiting. Silence, she argues,
        is rarely empty. It is often the moment when a client is deciding whether to say the harder
        thing, and our hurry to help can close the door just as it begins to open.

        ## Three kinds of silence

        Devereux distinguishes between the silences worth protecting and those that are not:

        - <strong>The working silence</strong>, in which the client is visibly thinking, searching
          for words or feeling something arrive. This is the one to leave alone.
        - <strong>The frozen silence</strong>, in which the client has gone somewhere far away and
          needs help finding the room again. Here a quiet, grounding remark is a kindness, not an
          intrusion.
        - <strong>The waiting silence</strong>, in which the client is watching you to see what you
          expect. Naming it gently, <em>I notice we're both waiting</em>, often does more than any
          question could.

        The skill, she says, is not enduring silence as a test of nerve but reading it: noticing
        breath, posture and gaze, and noticing what happens in our own bodies as the seconds pass.
        Her account of a session in which she spoke too soon, and of what the client told her about
        it weeks later, is worth watching on its own.

        This clip is taken from our webcast series <em>The Quiet Hour: Presence, Pacing and the
        Therapeutic Relationship</em>, in which six clinicians explore the parts of therapy that
        happen between the words. Registered readers can watch the full sessions and join the
        discussion below.
        """,
    ),
    _PostSpec(
        title="Shame Hides in the Small Talk",
        dek="How the first five minutes of a session can carry what a client cannot yet say",
        authors=("Daniel Ferreira",),
        categories=("Clinical Practice",),
        tags=("shame", "case study", "countertransference"),
        text="""
        Ask clinicians where shame shows up in therapy and most will point to the dramatic moments:
        the confession, the tearful disclosure, the memory that took two years to surface. In my
        experience it is more often found in the first five minutes, folded into small talk so
        ordinary that it is easy to step over.

        Consider a client I will call Jonah, a composite of several men I have worked with: in his
        forties, well paid, and in a marriage that was quietly coming apart. For months he began
        every session with a joke at his own expense, about the traffic, about his tie, about being
        "the worst patient you've ever had." I laughed, because the jokes were funny and because
        laughing felt like rapport.

        ## The joke as a door

        It took a colleague in consultation to point out what I had missed. Jonah's opening jokes
        were not small talk at all. They were a preemptive strike: if he named himself as
        ridiculous first, nobody else could do it to him. And by laughing along I had been
        agreeing, session after session, to keep the door closed.

        The next time he made a joke, this one about leaving his wallet in the car, I waited a
        moment and said, "You're very quick to make yourself the punchline." He was quiet for a
        long time. Then he told me about his father, who had made him the punchline at every family
        dinner of his childhood.

        A few things I now watch for in the opening minutes of a session:

        - Apologies for things that need no apology: arriving two minutes early, needing a tissue,
          "rambling."
        - Self-deprecating humor that arrives before anything else has been said.
        - Achievements reported too quickly, as if to get them on the record before they can be
          questioned.

        None of these proves anything on its own. But shame rarely announces itself. It tends to
        wait in the doorway, making conversation, to see whether it will be let in.
        """,
    ),
    _PostSpec(
        title="The Question Nobody Has Asked",
        dek="A family therapist on the questions that open a stuck session",
        authors=("Ruth Abernathy",),
        categories=("Couples & Families", "Clinical Practice"),
        tags=("parenting", "attachment", "case study"),
        featured=True,
        excerpt="""
        After a quarter century with families who have stopped hearing one another, Ruth Abernathy
        has learned to trust a good question more than a clever interpretation.
        """,
        text="""
        Every family therapist knows the stuck session. The parents have said what they always say,
        the teenager has shrugged the shrug he always shrugs, and somewhere around minute twenty
        you notice that you, too, have started saying what you always say. The family has recruited
        you into its pattern, which is, after all, what families do with everyone.

        Over the years I have stopped trying to interpret my way out of these moments. An
        interpretation, however accurate, tends to land as one more person explaining the family to
        itself. What helps more often is a question nobody in the room has been asked before, one
        that makes people stop and think rather than defend.

        ## Questions I keep coming back to

        - <em>If the problem disappeared tomorrow, who would be the first to notice, and what would
          they notice?</em> This moves the conversation from blame to observation, and often
          reveals who is carrying the most worry.
        - <em>Who in this family is best at staying calm when things go wrong, and how did they
          learn that?</em> Families in conflict rarely get to talk about their strengths. This
          gives them permission.
        - <em>What would your grandmother have said about all this?</em> Bringing in an absent
          generation can loosen a stuck argument and bring the family's inherited rules into view.
        - <em>What are you most afraid I will think of you?</em> Asked gently, usually of a parent,
          this names the shame that keeps so many parents defended in the first place.

        These questions are not magic. Some will fall flat, and any of them can deaden rather than
        open a session if it is asked by rote. What makes them work is genuine curiosity: you have
        to actually want to know the answer.

        > A good question doesn't tell a family what is wrong. It gives them somewhere to stand
        while they look at it together.

        One of my trainees wrote that in her end-of-year reflection, and I have been quoting her
        ever since, usually without credit. Consider this a belated correction.
        """,
    ),
    _PostSpec(
        title="Sleep Is the First Intervention",
        dek="Why asking about sleep may be the most useful thing you do in an intake",
        authors=("Tomas Lindqvist",),
        categories=("Brain & Body",),
        tags=("sleep", "depression", "anxiety", "research", "neuroscience"),
        featured=True,
        text="""
        If I could add one question to every therapy intake in the country, it would not be about
        childhood, or trauma, or substance use, important as all of those are. It would be:
        <em>Tell me about your nights.</em>

        Disturbed sleep is one of the most consistent findings across psychiatric conditions. It
        travels with depression, anxiety, bipolar disorder, PTSD and substance misuse, and for a
        long time we treated it as a symptom that would resolve once the "real" problem was
        addressed. The research of the past two decades has made that position hard to hold.
        Insomnia often comes before a first episode of depression, raises the risk of relapse after
        recovery, and in many people persists even when mood has improved.

        ## What this means in the room

        You do not need to become a sleep specialist to take this seriously. But a few habits make
        a real difference:

        - Ask about sleep in detail, not just "How are you sleeping?" Ask when the person goes to
          bed, how long it takes to fall asleep, how often they wake and what they do when they do.
        - Listen for the habits that keep insomnia going: long hours awake in bed, naps late in the
          day, checking the clock, working or scrolling under the covers.
        - Know that cognitive behavioral therapy for insomnia, usually shortened to CBT-I, is a
          well-studied treatment recommended ahead of sleeping pills for most adults with chronic
          insomnia. Find out who offers it near you, or consider training in it yourself.
        - Watch for signs of sleep apnea, such as loud snoring, gasping at night or daytime
          sleepiness despite enough hours in bed, and refer for a medical evaluation when you see
          them.

        None of this replaces the work of therapy. But a client who is sleeping even an hour more
        each night tends to bring more to the session: more patience, more capacity to reflect,
        more room for difficult feelings. I have come to think of sleep less as a symptom to note
        than as the ground everything else stands on.

        Next month I will look at what happens when insomnia and trauma overlap, and why nightmares
        deserve a treatment plan of their own.
        """,
    ),
    _PostSpec(
        title="Stabilization Is Not a Waiting Room",
        dek="The early phase of trauma treatment is where much of the healing already happens",
        authors=("Daniel Ferreira",),
        categories=("Trauma",),
        tags=("PTSD", "attachment"),
        text="""
        Clinicians new to trauma work often describe the stabilization phase as something to get
        through. The client is not ready for the trauma memories yet, so you teach some grounding
        skills, build a safety plan and wait for the real work to begin. I understand the impulse.
        I also think it misreads what is happening in those early months.

        For many survivors of chronic or early trauma, the experience of sitting with another
        person who is steady, predictable and not frightened of them is itself new. Learning that a
        feeling can rise and fall without catastrophe, that a session can end without abandonment,
        that a mistake can be named and survived: these are not preliminaries. They are a direct
        answer to what the trauma taught.

        ## Signs that stabilization is working

        Progress in this phase is easy to miss because it rarely looks dramatic. I look for small
        shifts:

        - The client notices their own activation earlier, and can say so: "I'm starting to go
          somewhere."
        - Crises between sessions become less frequent, or are weathered with less help.
        - The client begins to disagree with me, and stays in the room while doing it.
        - Sleep, eating or daily routines settle, even a little.

        None of this means the traumatic memories have been processed, and some clients will want
        and need that work later. But I have also seen people reach a point where their lives are
        much bigger than their symptoms, and where going back into the memories no longer seems
        necessary to them. That is their decision to make, not mine.

        > Stabilization is not the hallway outside the treatment. For a lot of my clients, it is
        the first room they have ever felt safe in.

        A colleague said that to me in consultation more than a decade ago. It changed how I
        explain this phase to clients and, more importantly, how I experience it myself: less as
        waiting, more as work.
        """,
    ),
    _PostSpec(
        title="Raising Your Fee Without Losing Your Nerve",
        dek="A practical, unembarrassed guide to the conversation most therapists dread",
        authors=("Priya Venkataraman",),
        categories=("The Business of Therapy",),
        tags=("fees", "private practice"),
        featured=True,
        members_only=True,
        text="""
        Every January my inbox fills with the same question from colleagues: <em>How do I tell my
        clients I'm raising my fee?</em> It usually comes in the apologetic tone of someone
        confessing to a crime, so let's start there. Adjusting your fee in line with your costs,
        your experience and your local market is not a betrayal of your clients. It is part of how
        you stay in business long enough to keep seeing them.

        That said, how you do it matters. Here is the approach I recommend, refined over a decade
        of doing it badly and then somewhat better.

        ## Before the conversation

        - <strong>Decide the number first, and decide it alone.</strong> Don't set your fee in the
          middle of a session with a client who is struggling. Work it out on paper: your overhead,
          your taxes, the hours you can sustainably see clients and what comparable clinicians
          nearby charge.
        - <strong>Choose a date and give notice.</strong> Sixty days is generous; thirty is the
          least I would suggest. Put it in writing, even if you also say it aloud.
        - <strong>Decide in advance what you will do for current clients who cannot afford
          it.</strong> Some clinicians keep existing clients at the old rate; others hold a few
          reduced-fee places. Either is defensible. Making it up on the spot is not.

        ## In the room

        Keep it brief. Something like: "I want to let you know that from the first of March my fee
        will be changing. I've put the details in writing for you. Fee changes can bring up
        feelings, and I'm glad to talk about that." Then stop talking.

        That last part is the hard one. The urge to explain, justify and apologize is strong, and
        it tends to turn a business notice into a request for the client's permission. Clients may
        well have feelings about it: anger, worry, even relief that you take your own work
        seriously. Those feelings are worth exploring like any other material. The decision itself
        is yours.

        For more on fee policies, sliding scales included, see our archive under <a
        href="/tag/fees/">fees</a>.
        """,
    ),
    _PostSpec(
        title="The Couple Who Fights About the Dishes",
        dek="It is almost never about the dishes, which is exactly why the dishes matter",
        authors=("Claire Devereux",),
        categories=("Couples & Families",),
        tags=("couples therapy", "attachment", "case study"),
        text="""
        They arrive, as so many couples do, with a story about a mundane object. Call them Maya and
        Theo, a composite couple married for nine years, with two small children. The object in
        question is a frying pan, left to "soak" in the sink for three days. Maya is furious. Theo
        is baffled by her fury. By the end of the first session I know more about that frying pan
        than about anything in my own kitchen.

        A newer therapist might try to solve the frying pan: negotiate a chore chart, teach some
        communication skills, help each partner see the other's side. None of that is wrong,
        exactly. It is just aimed at the wrong target.

        ## What the pan is carrying

        In couples work, the recurring fight is rarely about its content. It is a vehicle for a
        question that feels too dangerous to ask directly. For Maya, the pan in the sink meant:
        <em>Do you see how much I'm carrying? Am I alone in this?</em> For Theo, her anger meant:
        <em>Nothing I do will ever be enough.</em> Each was responding not to the other's words but
        to the fear underneath them, and each response confirmed the other's fear.

        Once that cycle was visible, the conversation changed. We spent very little time on dishes
        after the second session, and a great deal of time on what it was like for Maya to feel
        unseen, and for Theo to feel he was always failing a test nobody had told him about.

        Some practical notes for working with a couple like this:

        - Slow the fight down until you can see its steps. Ask what each person felt in the half
          second before they answered.
        - Name the cycle, not either partner, as the shared problem.
        - Resist becoming the judge. The moment you rule on the frying pan, you have joined the
          fight.

        Maya and Theo still argue about the dishes. Most couples do. But these days, they tell me,
        the argument tends to end with one of them laughing, which in my experience is a very good
        sign.
        """,
    ),
    _PostSpec(
        title="What I Wish My Supervisor Had Told Me",
        dek="Marcus Oyelaran looks back on his first years with teenagers, and what nobody said",
        authors=("Helen Marsh", "Marcus Oyelaran"),
        categories=("Supervision & Training",),
        tags=("supervision", "interview", "burnout"),
        text="""
        <em>Marcus Oyelaran has spent nearly twenty years counseling adolescents, first in schools
        and juvenile justice settings, now in outpatient practice. He also supervises new
        counselors. We asked him what he wishes someone had told him when he started out.</em>

        <strong>What surprised you most in your first year?</strong>

        How physically tired I was. Nobody told me that sitting still and paying close attention
        for six hours is exhausting in its own way. I thought something was wrong with me. I'd come
        home and not want to talk to anyone, and I felt guilty about that, because my whole job was
        supposed to be talking to people.

        <strong>What did your supervisors get right?</strong>

        The good ones asked about me, not just the cases. One of them, early on, asked which client
        I was dreading seeing that week. Such a simple question, and it opened up everything: what
        I was afraid of, where I felt out of my depth, who that teenager reminded me of.

        <strong>And what do you wish they had said?</strong>

        That it's normal not to like some of your clients. For a long time I believed a good
        counselor felt warmly toward everyone, and I hid the times I didn't. Once I could say it
        out loud in supervision, it became useful information instead of a secret.

        <strong>What do you tell new counselors now?</strong>

        A few things. Protect your lunch break. Write your notes the same day. Find one colleague
        you can call after a hard session. And remember that teenagers are very good at spotting a
        fake, so you might as well be yourself: nervous, unsure, whatever you are. They'll forgive
        almost anything except pretending.

        <strong>Any regrets?</strong>

        Only that I waited so long to get my own therapy. I'd recommend it to anyone in this work,
        early and without embarrassment.
        """,
    ),
    _PostSpec(
        title="Grief Without a Calendar",
        dek="The new diagnosis of prolonged grief, and what it does and does not tell us",
        authors=("Tomas Lindqvist",),
        categories=("Clinical Practice",),
        tags=("grief", "research", "depression"),
        text="""
        For most of the history of psychiatry, grief sat awkwardly at the edge of the diagnostic
        manuals: acknowledged, often excluded, rarely defined. That changed in 2022, when the text
        revision of the DSM-5 added prolonged grief disorder, following the World Health
        Organization's ICD-11, which had introduced a similar diagnosis a few years earlier.

        The change has been welcomed by some clinicians and worried over by others. Both reactions
        make sense.

        ## What the diagnosis describes

        Prolonged grief disorder is not simply grief that lasts a long time. Most people carry some
        grief for the rest of their lives, and that is not a disorder. The diagnosis describes
        something narrower: an intense yearning for, or preoccupation with, the person who died,
        persisting well beyond what the person's culture and context would lead us to expect, and
        causing significant distress and difficulty in daily life. The DSM sets the threshold at
        twelve months after the loss for adults; the ICD uses six months, with room for cultural
        variation.

        ## The case for and against

        Supporters point out that a minority of bereaved people get stuck in a way that ordinary
        support does not shift, and that a diagnosis opens the door to research, insurance coverage
        and treatments designed specifically for grief. Critics worry about putting a clock on
        mourning, and about turning a universal human experience into a billing code.

        My own view sits somewhere in between. A diagnosis is a tool, and tools can be used well or
        badly. Used well, it helps us notice the widow who has not left her house in two years, or
        the father who still sets a place at the table and cannot say why. Used badly, it tells
        grieving people they are taking too long.

        Whatever you make of the label, the clinical task is unchanged: to stay with people in
        their loss, to help them carry it, and to notice when the weight has become more than they
        can carry alone.
        """,
    ),
    _PostSpec(
        title="Parenting the Anxious Teenager Without Taking Over",
        dek="When a parent's help becomes part of the anxiety, and how to step back together",
        authors=("Marcus Oyelaran",),
        categories=("Couples & Families",),
        tags=("adolescents", "anxiety", "parenting"),
        text="""
        Parents of anxious teenagers are some of the most loving and most exhausted people I meet.
        They drive the long way to school because the short way passes the place where the panic
        attack happened. They order for their daughter at restaurants because she can't face the
        server. They answer the texts at midnight, and the texts at two, and the texts at four.

        Each of these accommodations makes sense in the moment. Each one lowers the teenager's
        distress right now. Taken together, they can quietly teach a young person that the world is
        too dangerous to face without a parent standing in front of them.

        ## Working with the parents, not around them

        Some of the most useful research on childhood anxiety in the last decade has focused on
        parents rather than children. Programs that help parents gradually reduce accommodation,
        while staying warm and supportive, have produced results comparable to individual therapy
        for the child. That is good news for families whose teenager refuses to come to sessions at
        all, which, in my caseload, is a lot of them.

        In practice, I help parents do three things:

        - Notice their accommodations. Most parents are surprised by how many there are once they
          start writing them down.
        - Choose one to reduce, and tell their teenager in advance what will change and why.
        - Replace rescue with confidence. Instead of "I'll handle it," try "This is hard, and I
          know you can manage it."

        The hardest part is usually not the teenager's reaction, although there often is one. It is
        the parent's own distress at watching their child struggle. I spend a fair amount of time
        helping parents bear that feeling, because a parent who can stay calm while their teenager
        is anxious is teaching something no worksheet can.
        """,
    ),
    _PostSpec(
        title="Five Minutes Between Clients",
        dek="Readers tell us how they use the short gap between one session and the next",
        authors=("Helen Marsh",),
        categories=("Practitioner Exchange",),
        tags=("burnout", "mindfulness"),
        excerpt="""
        We asked readers what they do in the few minutes between sessions. Hand washing, one
        almond, an apology to a neglected plant, and a sobering number of people with no gap at
        all.
        """,
        text="""
        Some time ago we asked readers a simple question: what do you do in the few minutes between
        clients? We expected a handful of replies. We received more than three hundred, from
        clinicians in solo practices, hospitals, schools and community agencies, and they were so
        varied and thoughtful that we wanted to share some of them here.

        Many readers described small physical rituals. A psychologist in Ohio washes her hands
        slowly, in warm water, "as a way of letting the last hour go down the drain." A counselor
        in a busy agency steps outside, whatever the weather, and looks at something far away for
        one full minute. Several people mentioned stretching, and one simply lies on the floor.

        ## Closing one door before opening the next

        Others described mental routines. A social worker writes a single sentence about the
        session that has just ended, "the sentence I'd want to remember," before she writes
        anything else. A family therapist reads the first line of her notes on the next family
        quietly aloud, to bring them into the room in her mind.

        A few answers made us laugh:

        - "Check for spinach in my teeth. Twelve years in practice and it still happens."
        - "Eat one almond. One. It's a ritual, not a meal."
        - "Apologize to my plant for not watering it."

        And some were more sobering. A number of readers told us they have no gap at all:
        back-to-back sessions, notes written at night, lunch eaten while returning calls. "Five
        minutes between clients sounds like a luxury," one wrote. It shouldn't be. If the gap in
        your schedule has disappeared, it may be worth asking what it would take to bring it back,
        and whose permission, if anyone's, you believe you need.
        """,
    ),
    _PostSpec(
        title="Telehealth After the Emergency",
        dek="What has lasted from the rush online, and what practices are quietly rethinking",
        authors=("Priya Venkataraman",),
        categories=("The Business of Therapy",),
        tags=("telehealth", "private practice", "ethics", "documentation"),
        text="""
        When practices moved online almost overnight in the spring of 2020, many of us assumed it
        would be temporary. Some clinicians could not wait to get back to their offices; others
        discovered they never wanted to commute again. The dust has since settled into something
        more interesting than either prediction: a profession in which video sessions are ordinary
        but not universal, and in which the practical questions now matter more than the
        philosophical ones.

        ## What has stuck

        Telehealth has proved especially valuable for clients who live far from specialists,
        clients with disabilities or chronic illness, parents of young children, and people whose
        working hours leave no room for a round trip to an office. Many practices now treat video
        as one option among several, offered alongside in-person sessions rather than instead of
        them.

        ## What still needs attention

        The improvisations of the emergency period are not all holding up. A few areas deserve a
        second look:

        - <strong>Licensure.</strong> In general you are practicing where the client is, not where
          you are. A client who travels or moves can put you outside your license without either of
          you noticing, so ask where they are at the start of each session.
        - <strong>Emergency planning.</strong> Know the client's location for each session and keep
          a local emergency contact on file. A crisis on video is not the moment to discover you
          don't know which city someone is in.
        - <strong>Platforms and privacy.</strong> Several temporary relaxations of privacy
          enforcement from the early pandemic have ended. Check that your platform is suitable for
          health information and that you have whatever agreements your jurisdiction requires.
        - <strong>Your own body.</strong> Hours on screen take a different toll than hours in a
          room. Many clinicians report more fatigue online, and some have gone back to mixing
          formats simply to protect their stamina.

        Telehealth is no longer new. That is exactly why it deserves the same careful attention we
        give to every other part of our practice.
        """,
    ),
    _PostSpec(
        title="What the Vagus Nerve Can and Cannot Explain",
        dek="A psychiatrist reads the popular claims about the body's busiest nerve with care",
        authors=("Tomas Lindqvist",),
        categories=("Brain & Body",),
        tags=("neuroscience", "research"),
        text="""
        Few structures in the human body have enjoyed a public career quite like the vagus nerve's.
        A decade ago most therapists would have struggled to say what it did. Today it turns up in
        workshop titles, social media posts and self-help books, often as the explanation for
        everything from anxiety to digestion to the feeling of being safe with another person.

        Some of the attention is well deserved. The vagus nerve is real, large and important. It
        carries signals between the brainstem and the heart, lungs and gut, and it plays a central
        part in slowing the heart and supporting rest and digestion. Slow breathing with a long
        exhale does measurably affect heart rate, partly through vagal pathways. Those are solid
        findings.

        ## Where the story runs ahead of the science

        The trouble starts when the nerve is asked to carry more than the evidence can bear. A few
        cautions worth keeping in mind:

        - Heart rate variability is a useful measure, but many things influence it, and it is not a
          direct readout of "vagal tone," let alone of emotional health.
        - Some popular models of the nervous system offer appealing clinical language, but several
          of their specific anatomical and evolutionary claims are disputed by researchers in the
          field.
        - Exercises sold as ways to "reset" or "hack" the vagus nerve range from reasonable
          relaxation techniques to claims that have never been tested.

        None of this means therapists should stop paying attention to the body. Noticing a client's
        breathing, helping them feel their feet on the floor, slowing a session when someone is
        overwhelmed: these are good clinical instincts, and they do not depend on any single theory
        being right.

        The honest position, as so often, is a modest one. The body matters enormously in
        psychotherapy. We know a good deal about how, and rather less than the workshop brochures
        suggest.
        """,
    ),
    _PostSpec(
        title="The Anxious Client Who Wants a Worksheet",
        dek="Structure can be a gift or a hiding place; the trick is knowing which it is today",
        authors=("Claire Devereux",),
        categories=("Clinical Practice",),
        tags=("anxiety", "case study"),
        text="""
        She arrived at the first session with a notebook, a pen and a list of questions. A
        composite client I will call Ines, she was a graduate student who had read about cognitive
        behavioral therapy and wanted, in her words, "the exercises, not the feelings." She asked
        for homework before I had finished my intake questions.

        I have met many clients like Ines, and I have made two opposite mistakes with them. Early
        in my career I sometimes gave them exactly what they asked for, session after session, and
        watched them complete every worksheet perfectly while nothing changed. Later,
        overcorrecting, I sometimes treated the wish for structure as a defense to be interpreted
        away, and watched them leave.

        ## Both things can be true

        What I understand better now is that the request for a worksheet is often both a genuine
        need and a way of managing fear. Structured, skills-based approaches to anxiety have strong
        evidence behind them; exposure in particular is one of the most effective tools we have. At
        the same time, a client who has spent her life staying in control can use even a good
        technique to avoid the vulnerable experience of not knowing what will happen next.

        With Ines, I did give her the exercises. We built a careful exposure plan for her fear of
        speaking in seminars, and she practiced faithfully. But I also paid attention to how she
        did the homework: the color-coded charts, the pages rewritten until they were neat, the
        apologies for "only" practicing five times. Eventually I asked, "What would happen if you
        did this badly?"

        She laughed, then stopped laughing. That question, more than any worksheet, turned out to
        be the center of our work: not the seminar room but a lifelong conviction that she was
        acceptable only when she was doing things perfectly.

        The worksheet was the way in. It just wasn't the whole way.
        """,
    ),
    _PostSpec(
        title="Moderating Reader Comments: Draft Guidelines for the Team",
        dek="Working notes for editors before discussion opens under every article",
        authors=("Helen Marsh",),
        categories=("Practitioner Exchange",),
        tags=("editor's note", "ethics"),
        status=PostStatus.PRIVATE,
        comments_open=False,
        text="""
        These notes are for the editorial team and our volunteer moderators. They are a working
        draft; please add suggestions in the margin of the shared document rather than here.

        ## Principles

        Our readers are mostly licensed clinicians and trainees. They are used to confidentiality,
        careful language and professional disagreement, and we should moderate as if we expect
        those standards, because we do. The aim is a discussion a thoughtful colleague would be
        glad to read, not a spotless one.

        ## What we hold back

        - Anything that could identify a client, even when the writer clearly believes it is
          disguised. If in doubt, write to the commenter privately and suggest changes.
        - Personal attacks on contributors or other readers. Sharp disagreement with an argument is
          fine.
        - Promotion of a commenter's own practice, products or trainings, unless it is directly
          relevant and clearly disclosed.
        - Advice about a specific, real person's care. We can discuss ideas; we cannot supervise
          cases in public.
        - Any disclosure of risk to self or others. These go to the duty editor the same day, and
          the commenter receives our resources message.

        ## What we let through

        Criticism of the magazine. Criticism of me. Unusual, unfashionable or minority clinical
        views, as long as they are argued rather than asserted. Questions from students that seem
        basic; they are often the most useful comments on the page.

        ## Timing

        A new reader's first comment is held for review, and we aim to clear the queue within one
        working day. Once a reader has a comment approved, later comments appear straight away and
        we review them after the fact.

        Please flag anything here that does not match what you already do in practice. The
        guidelines should describe the best of what we do, not an ideal we never reach.
        """,
    ),
    _PostSpec(
        title="Repairing the Rupture You Caused",
        dek="What to do in the session after you got it wrong, and why it can deepen the work",
        authors=("Claire Devereux",),
        categories=("Clinical Practice",),
        tags=("rupture and repair", "countertransference"),
        text="""
        Every therapist eventually has a session they replay on the drive home. You were
        distracted, or defensive, or you said the clever thing instead of the kind one, and you saw
        the client's face close. If you are lucky, they come back next week. What happens then
        matters more than most of us were taught.

        Research on the therapeutic alliance has consistently found that ruptures, moments of
        tension or disconnection between client and therapist, are common, and that repairing them
        is associated with better outcomes. The relationship does not need to be perfect. It needs
        to be repairable.

        ## A few principles for the session after

        - <strong>Raise it yourself.</strong> Many clients, especially those who learned early that
          conflict is dangerous, will not bring it up. "I've been thinking about something I said
          last week, and I wonder how it landed for you" is usually enough.
        - <strong>Own your part plainly.</strong> Skip the explanation of what you meant to say.
          The client knows what you said.
        - <strong>Get curious about their experience.</strong> The point of the repair is not your
          absolution. It is finding out what the moment was like for them, and what it reminded
          them of.
        - <strong>Don't overdo it.</strong> A repair that turns into a long confession puts the
          client in the position of looking after you.

        I once told a client, a meticulous and private man in his sixties, that he seemed "a bit
        stuck," in a tone I can still hear. He said nothing. The following week I told him I
        thought I had been impatient with him and that I was sorry. He looked at me for a long
        moment and said, "Nobody has ever apologized to me for being impatient." Our work changed
        after that, in ways none of my careful techniques had managed.

        Mistakes are not the opposite of good therapy. Handled with care, they can be some of its
        best material.
        """,
    ),
    _PostSpec(
        title="Moral Injury on the Night Shift",
        dek="When health care workers are haunted less by fear than by what they could not do",
        authors=("Daniel Ferreira",),
        categories=("Trauma",),
        tags=("PTSD", "burnout", "shame"),
        excerpt="""
        Many nurses and physicians who seek therapy are troubled less by fear than by guilt and a
        sense of betrayal. Daniel Ferreira on recognizing moral injury, and why it calls for more
        than exposure work.
        """,
        text="""
        When I began seeing nurses and physicians from the intensive care units at my hospital, I
        expected to treat post-traumatic stress, and sometimes I did. There were nightmares,
        intrusive images, the vigilance of people who had spent too many nights listening for
        alarms. But many of my clients described something that did not fit neatly into that
        framework. They were haunted less by fear than by guilt, anger and a sense of having
        betrayed their own values.

        The term for this is <em>moral injury</em>. It was developed in work with military veterans
        to describe the lasting harm that can follow from doing, failing to prevent or witnessing
        acts that violate one's deepest moral beliefs. In health care it often arises not from a
        single event but from slow accumulation: rationing care, carrying out policies that feel
        wrong, being unable to give patients the time and attention they deserve.

        ## Why the distinction matters

        Moral injury and PTSD often overlap, but they are not the same, and treating one as the
        other can leave a client feeling unseen. Standard exposure work is built around fear. Moral
        injury tends to be organized around shame and guilt, and what it calls for is often closer
        to a reckoning than to habituation.

        With these clients I try to:

        - Let them tell the story in full, including the parts they judge most harshly, without
          rushing to reassure.
        - Distinguish carefully between what they did, what they were made to do and what the
          system made impossible.
        - Make room for anger at institutions, which is often justified and rarely welcome anywhere
          else.
        - Explore, eventually, what repair might look like: sometimes an action, sometimes a
          conversation, sometimes simply a different way of carrying what happened.

        A nurse I saw last year put it this way: "I don't need you to tell me it wasn't my fault. I
        need someone to understand why it feels like it was." That sentence has become something of
        a guide for me in this work.
        """,
    ),
    _PostSpec(
        title="Sliding Scales, Done Honestly",
        dek="How to offer reduced fees without resentment, guesswork or quiet burnout",
        authors=("Priya Venkataraman",),
        categories=("The Business of Therapy",),
        tags=("fees", "ethics", "private practice"),
        members_only=True,
        text="""
        Most therapists I know want their work to be open to people who cannot pay the full fee.
        Most therapists I know also have at least one reduced-fee client they quietly resent. Both
        can be true of the same person, and the problem is usually not a shortage of generosity but
        the absence of a system.

        A sliding scale improvised case by case tends to go wrong in predictable ways. Clients with
        the confidence to ask for a reduction get one; clients too ashamed to ask do not. Fees
        negotiated in the first session are never revisited, even when a client's circumstances
        improve. And the therapist, having said yes too often, ends up working longer hours to make
        up the difference.

        ## Building a scale you can live with

        - <strong>Decide how many reduced-fee hours you can sustain</strong>, as a number, before
          you fill them. Two a week is a common starting point for a full-time solo practice.
        - <strong>Write down the criteria</strong>, and consider publishing them. Household income
          and dependents are the usual basis. Some clinicians ask for no documentation at all,
          which is a reasonable choice as long as it is a choice.
        - <strong>Set a review date.</strong> Agree with the client that the fee will be revisited
          every six or twelve months, and put it in your calendar, not just your intentions.
        - <strong>Keep the money conversation out of the clinical hour where you can.</strong> A
          short written policy does a great deal of the work.

        A colleague of mine, a psychologist in a small town, takes a different approach. She
        charges everyone the same fee, and gives one day a month to a community clinic. She says it
        spares her from acting as the judge of who deserves a discount. I think that is a perfectly
        honest solution too.

        There is no single right way to do this. But generosity lasts longer when it is planned.
        """,
    ),
    _PostSpec(
        title="Teenagers Who Did Not Ask to Be Here",
        dek="Marcus Oyelaran on the first ten minutes with a young person who wants to leave",
        authors=("Marcus Oyelaran",),
        categories=("Practitioner Exchange", "Clinical Practice"),
        tags=("adolescents", "shame", "webcast"),
        text="""
        Anyone who works with adolescents will recognize the posture: hood up, arms folded, eyes on
        the floor or the phone, body angled toward the door. It says, more clearly than words
        could, <em>I did not choose this.</em>

        In this clip, counselor Marcus Oyelaran talks about what he does in the first ten minutes
        with a teenager who has been sent, dragged or bribed into therapy. His starting point is
        simple: the young person is right. They did not choose to be there, and pretending
        otherwise insults their intelligence.

        ## Starting from the truth

        Rather than selling therapy, Oyelaran begins by agreeing with the resistance. He might say,
        "I'm guessing this wasn't your idea," and then wait. Often, he says, a teenager's first
        real words are a complaint about the adult who sent them, and that complaint is worth far
        more than any polite answer to an intake question.

        He also speaks candidly about shame. Many teenagers experience being sent to a counselor as
        proof that something is wrong with them. Part of the early work is taking that fear
        seriously: acknowledging that therapy can feel like a label, while showing by your manner
        that you have no interest in labeling them.

        A few of his practical suggestions:

        - Explain confidentiality and its limits in plain language, early, before anything
          important is said.
        - Let them choose something: where to sit, whether the door stays open, what to talk about
          first.
        - Be brief. A short, honest first session beats a long, thorough one they will not come
          back from.

        This clip comes from our webcast series <em>Reaching the Hard to Reach: Engaging Reluctant
        Clients</em>, which brings together clinicians working in mandated, family-referred and
        crisis settings.
        """,
    ),
    _PostSpec(
        title="When a Client Dies by Suicide",
        dek="What clinicians who have lost a client say helped them, and what did not",
        authors=("Ruth Abernathy",),
        categories=("Clinical Practice", "Supervision & Training"),
        tags=("grief", "supervision", "ethics", "documentation"),
        comments_open=False,
        excerpt="""
        Losing a client to suicide is one of the hardest experiences in clinical work and one of
        the least discussed. Colleagues who have lived through it describe what helped, and what
        did not.
        """,
        text="""
        Losing a client to suicide is one of the most painful experiences a therapist can have, and
        one of the least talked about. Surveys of clinicians over many years suggest that a
        substantial share of psychiatrists and psychologists will lose a patient to suicide at some
        point in their careers. Yet many of us were never told in training what that might be like,
        or what to do when it happens.

        For this piece I spoke with several colleagues who have lived through it. Their details are
        kept private, at their request and out of respect for the families involved. What they
        described was remarkably consistent.

        ## What helped

        - A supervisor or senior colleague who called the same day and said, in effect, <em>You are
          not alone with this.</em>
        - Clear, calm guidance on the practical steps: documentation, contact with the family where
          appropriate, consultation with a risk manager or attorney, and the client's other
          providers.
        - Time off that was offered rather than requested, and a lighter caseload in the weeks that
          followed.
        - Being allowed to grieve the client as a person, not only as a case.

        ## What did not

        Several clinicians described colleagues who, meaning well, hurried to assure them there was
        nothing they could have done. That reassurance, however kindly meant, often came before
        they could hear it, and made it harder to speak honestly about their own questions. Others
        described a sudden silence: nobody mentioned it at all, as if the death had not happened.

        If a colleague of yours goes through this loss, the most useful thing you can probably do
        is ask, and then listen. Don't supply answers to questions they have not asked yet.

        We have closed comments on this article out of care for the readers and families it may
        touch. If you are a clinician who has lost a client and would like to share what helped
        you, please write to the editor. If you are struggling yourself, in the United States you
        can call or text 988 to reach the <a href="https://988lifeline.org/">988 Suicide &amp;
        Crisis Lifeline</a>.
        """,
    ),
    _PostSpec(
        title="Breathing Exercises: A Cautious Guide",
        dek="Slow breathing helps many anxious clients, but not all, and not always at first",
        authors=("Tomas Lindqvist",),
        categories=("Brain & Body",),
        tags=("mindfulness", "anxiety", "PTSD"),
        text="""
        Breathing exercises may be the most widely taught technique in psychotherapy. They are
        simple, free, portable and, for many people, genuinely calming. They are also, in my
        experience, among the most often misapplied.

        The basic physiology is sound. Slowing the breath, and especially lengthening the exhale,
        tends to lower the heart rate and shift the body toward a calmer state. Many clients find
        that a few minutes of slow breathing takes the edge off rising anxiety, and some go on
        using it for years.

        ## When breathing makes things worse

        But a meaningful minority of clients find breath-focused exercises unpleasant or even
        frightening. This is more common than many of us realize, and it tends to cluster in a few
        groups:

        - People with panic disorder, for whom close attention to bodily sensations can itself set
          off the alarm.
        - Some survivors of trauma, particularly where the trauma involved restricted breathing, or
          where turning attention inward brings up unwanted memories.
        - Clients with respiratory conditions such as asthma, for whom attention to the breath is
          rarely neutral.

        None of this means these clients cannot benefit. It means the exercise should be offered
        rather than prescribed, and introduced with care.

        ## A gentler way in

        I usually start by asking clients to notice their breathing without changing it, for three
        or four breaths, with their eyes open. Then I ask what that was like. If it was fine, we
        can go further. If it was uncomfortable, we try something else first, such as feeling the
        feet on the floor, naming objects in the room or holding something cool, and come back to
        the breath later, if at all.

        The most important instruction I give is permission to stop. A calming technique that a
        person feels unable to leave is no longer calming.
        """,
    ),
    _PostSpec(
        title="Leaving the Agency: A Ledger of My First Year in Private Practice",
        dek="Looking back on the income, the isolation and the surprises of going solo",
        authors=("Priya Venkataraman",),
        categories=("The Business of Therapy",),
        tags=("private practice", "burnout", "fees"),
        members_only=True,
        text="""
        A decade ago, after eight years in a community mental health agency, I handed in my notice,
        rented a small office above a dentist and opened my own practice. I had a spreadsheet, a
        website a friend built for me, and a confidence that turned out to be about sixty percent
        justified. Colleagues weighing the same move often ask what that first year was really
        like. Here is my honest ledger.

        ## In the credit column

        - <strong>Control over my schedule.</strong> For the first time I decided how many clients
          I saw, and when. I learned that my best clinical hours are in the morning, and built my
          week around them.
        - <strong>Fewer forms.</strong> Not none, never none, but far fewer, and forms I had
          chosen.
        - <strong>Continuity.</strong> At the agency, clients were often transferred when programs
          changed. In my own practice I could see people for as long as the work needed.

        ## In the debit column

        - <strong>Income that arrived in lumps.</strong> My first three months brought in less than
          half of what I had earned at the agency. By month nine I had caught up. I was grateful
          for the savings I had set aside, and would advise anyone to set aside more.
        - <strong>Isolation.</strong> I had not realized how much of my support came from the
          agency kitchen. I joined a peer consultation group in month four, and wish I had done it
          in month one.
        - <strong>The invisible hours.</strong> Billing, marketing, returning calls, buying paper
          towels for the waiting room. Nobody pays you for these, and together they add up to a
          second part-time job.

        Would I do it again? Yes, without hesitation. But I would go in with clearer eyes, a bigger
        cushion and a consultation group already in place.
        """,
    ),
    _PostSpec(
        title="Does Exercise Treat Depression?",
        dek="What recent trials suggest about movement and mood, and where the caveats lie",
        authors=("Tomas Lindqvist",),
        categories=("Brain & Body",),
        tags=("depression", "research"),
        text="""
        Few questions in mental health attract as many confident headlines as this one. Exercise is
        "as good as antidepressants," says one. Exercise is "no better than placebo," says another.
        The truth, as far as current research can tell us, is more useful than either.

        In recent years several large reviews have pooled the results of randomized trials of
        exercise for depression. Overall they find that structured physical activity reduces
        depressive symptoms, with effects that in some analyses are comparable to those of
        psychotherapy or medication. Walking, running, strength training and yoga have all shown
        benefits, and more vigorous exercise tends to show larger effects.

        ## The caveats

        Before recommending a running program to every depressed client, it is worth holding a few
        limitations in mind:

        - Many exercise trials are small, and participants always know whether they are exercising.
          Expectation may account for part of the benefit.
        - The people who drop out of exercise programs are often the most severely depressed, which
          can make average results look better than they would for the clients we actually see.
        - Most trials are short, and we know less about whether people keep exercising, and keep
          benefiting, after the study ends.

        ## In practice

        I have come to think of exercise as a genuine treatment rather than a lifestyle tip, but
        one with a particular difficulty: depression itself drains the motivation needed to do it.
        Prescribing "thirty minutes a day" to someone who cannot get out of bed is not treatment.
        It is one more thing to fail at.

        What tends to work better is starting very small, a ten-minute walk or a few stretches, and
        linking it to something the client already values. Behavioral activation, a
        well-established therapy for depression, offers a ready framework for doing exactly that.
        """,
    ),
    _PostSpec(
        title="Letters: On Telling Clients About Ourselves",
        dek="Readers respond to our debate on how much a therapist should reveal",
        authors=("Helen Marsh",),
        categories=("Practitioner Exchange",),
        tags=("ethics", "countertransference"),
        text="""
        Our recent debate on therapist self-disclosure brought in more letters than anything we
        have published in years. A selection follows, lightly edited for length. Names are withheld
        at the writers' request.

        <strong>From a psychodynamic therapist in New England:</strong> I was trained to reveal
        almost nothing, and for years I was proud of that. It took a client's furious remark, "I've
        been coming here for two years and I don't even know if you have a dog," to make me ask
        whose comfort my neutrality was serving. I still disclose rarely. But I no longer treat
        every personal question as an attack.

        <strong>From a family therapist in Texas:</strong> In the small town where I practice, my
        clients already know where I live, where my children go to school and what I buy at the
        grocery store. The question for me is never whether to disclose. It is how to handle what
        people already know.

        <strong>From a trainee in California:</strong> I am in my first practicum, and I was
        surprised by how strongly experienced clinicians disagree. Reading the debate was a relief.
        It made clear there is no single right answer, only better and worse reasons.

        <strong>From a trauma therapist in Ontario:</strong> A test I learned from a supervisor:
        before you disclose, ask whether you are about to say this for the client or for yourself.
        If you are not sure, wait. The disclosure will still be there next week.

        > The question is not whether the therapist is a person in the room. It is what that person
        does with the fact.

        That last line comes from a psychologist in Illinois, who added that she had been meaning
        to write a letter to an editor for thirty years. We are glad she finally did. Letters on
        any article are welcome; see our <a href="/contact/">contact page</a>.
        """,
    ),
    _PostSpec(
        title="Grandparents at the Kitchen Table",
        dek="Family therapy when grandparents become parents again, often in the middle of a loss",
        authors=("Ruth Abernathy",),
        categories=("Couples & Families",),
        tags=("parenting", "attachment", "grief"),
        text="""
        In a growing number of the families I see, the adults raising the children are not their
        parents. They are grandparents, and sometimes great-aunts or older siblings, who stepped in
        when a parent died, went to prison, struggled with addiction or simply could not cope.
        These kinship families are often remarkable, and often overlooked by services designed
        around a more familiar picture.

        Working with them has taught me to look at a few things differently.

        ## Grief is usually in the room

        A grandmother raising her grandchildren is very often grieving: for her own child, who may
        be dead or alive but lost to her in other ways, and for the retirement she had imagined.
        The children are grieving too, sometimes for a parent they barely remember. Much of the
        conflict that brings these families to therapy is grief wearing other clothes: a boy who
        won't do his homework, a grandfather who has stopped talking at dinner.

        ## Loyalty runs in several directions

        Children in kinship care often feel torn between the grandparent who looks after them and
        the parent they still love. Grandparents feel a similar pull between protecting the
        children and hoping their own son or daughter will come back. I find it helps to name these
        loyalties openly, so that nobody in the family has to carry them as a secret.

        ## Practical strain is clinical material

        These families often face real financial and legal pressure: custody arrangements, school
        paperwork, medical consent, fixed incomes. Setting these aside in favor of "the emotional
        work" misses the point. For many grandparents, the most therapeutic moment in a session is
        a referral to a kinship navigator or a legal clinic, made by someone who understands why
        they need it.

        What these families ask of us, above all, is to be seen as a family: not a temporary
        arrangement or somebody else's failure, but a household with its own history, strengths and
        love.
        """,
    ),
    _PostSpec(
        title="Burnout Is Not a Personal Failing",
        dek="Two clinicians compare notes on exhaustion, caseloads and the trouble with self-care",
        authors=("Claire Devereux", "Daniel Ferreira"),
        categories=("Practitioner Exchange",),
        tags=("burnout", "supervision", "interview"),
        text="""
        <em>Psychologists Claire Devereux and Daniel Ferreira have been friends since graduate
        school. We asked them to talk about burnout, a subject both have written about and, as they
        readily admit, lived through. Their conversation has been condensed.</em>

        <strong>Daniel:</strong> I want to start by saying I dislike the phrase "self-care." Not
        the idea, the phrase. It has come to mean that if you are exhausted, you didn't take enough
        baths.

        <strong>Claire:</strong> Or took the wrong kind of bath. I agree. The research on burnout
        points mostly at working conditions: workload, lack of control, a gap between what you
        value and what the job asks of you. A scented candle doesn't fix any of those.

        <strong>Daniel:</strong> When I burned out, about twelve years ago, I was seeing thirty-two
        clients a week, most of them trauma cases, and supervising two trainees. I thought the
        problem was my resilience. Looking back, the problem was thirty-two clients a week.

        <strong>Claire:</strong> Mine was quieter. I didn't feel overwhelmed so much as flat. I
        noticed I had started to feel relieved when clients cancelled. That frightened me, because
        I love this work, and I couldn't feel that I loved it.

        <strong>Daniel:</strong> What helped?

        <strong>Claire:</strong> Honestly? Cutting my caseload by a quarter and taking the
        financial hit. And going back into consultation, which I had let slip. Having somewhere to
        bring the cases that were getting under my skin made a big difference.

        <strong>Daniel:</strong> For me it was changing the mix. I still do trauma work, but no
        more than half my week. The rest is assessment and teaching. I hadn't realized how much I
        needed variety until I had it again.

        <strong>Claire:</strong> If I could say one thing to younger clinicians, it would be this:
        burnout is information about your working life, not a verdict on your character. Listen to
        it early.
        """,
    ),
]

# Parents come before their children.
PAGES: list[_PageSpec] = [
    _PageSpec(
        title="About",
        show_in_menu=True,
        menu_order=1,
        text="""
        <em>The Practice Review</em> is an independent magazine for psychotherapists, counselors,
        social workers and everyone else whose working day is spent in conversation with people who
        are struggling. We publish articles on clinical practice, on the business and ethics of
        therapy, on research from the brain and body sciences, and on the working lives of
        practitioners themselves.

        Our writers are working clinicians first. Most of them see clients every week, and we ask
        them to write the way they would talk to a trusted colleague at the end of a long day:
        plainly, honestly, and with more interest in what actually helps than in what sounds
        impressive.

        ## Webcasts and discussion

        Alongside the articles, we produce webcast series in which experienced clinicians explore a
        single theme in depth, from working with silence to engaging reluctant clients. Short clips
        from each series appear on the site; the full sessions are available to registered readers.

        Every article is open for discussion. We moderate comments to keep the conversation useful
        and confidential, and our <a href="/about/editorial-standards/">editorial standards</a>
        explain how.

        <em>The Practice Review</em> is edited by Helen Marsh and supported by its readers. We
        carry no pharmaceutical advertising.
        """,
    ),
    _PageSpec(
        title="Editorial Standards",
        parent="About",
        text="""
        We try to hold our writing to the standards our readers hold their clinical work: accuracy,
        confidentiality and respect for the people we write about.

        ## Case material

        Any account of a client in our pages is either a composite drawn from several people or has
        been changed so thoroughly that nobody could recognize the client, including, as far as
        possible, the client. Even when a writer has a client's written permission to tell a story,
        we change identifying details. Composite cases are labeled as such.

        ## Research

        When we summarize research, we name or link the original sources where we can, describe the
        size and limits of the evidence in plain language, and avoid claims that go beyond what a
        study found. Writers with a financial interest in a treatment, training or product they
        discuss must tell us, and we tell you.

        ## Corrections

        We make mistakes. When we do, we correct the article and add a note at the end saying what
        changed and when. To report an error, use our <a href="/contact/">contact page</a>.

        ## Comments

        - We read a new reader's first comment before it is published.
        - We remove anything that could identify a client, personal attacks and unsolicited
          promotion.
        - We do not give clinical advice about individual cases in the comments, and we ask readers
          not to either.
        """,
    ),
    _PageSpec(
        title="Write for Us",
        show_in_menu=True,
        menu_order=2,
        text="""
        We are always looking for new writers, and some of our most-read pieces have come from
        clinicians who had never published anything before. You do not need to be well known. You
        do need something to say that comes from your own practice.

        ## What we publish

        - Essays on clinical work, 800 to 2,000 words, grounded in real practice and written for
          colleagues.
        - Plain-language research summaries that say what a study found, how much weight it can
          bear and what it might mean in the room.
        - Practical pieces on the business of therapy: fees, records, referrals and running a
          practice.
        - Short first-person reflections on the working life of a therapist.

        ## How to pitch

        Send us a short pitch of no more than a few paragraphs: the idea, why it matters to
        practitioners, and what puts you in a position to write it. Please don't send a finished
        article first; we prefer to shape pieces with writers from the start.

        Pitches go to <a
        href="mailto:pitches@practicereview.example">pitches@practicereview.example</a>. We reply
        to every pitch, usually within three weeks, and we pay for all commissioned work. Before
        you write about a client, please read our <a href="/about/editorial-standards/">editorial
        standards</a> on case material.
        """,
    ),
    _PageSpec(
        title="Contact",
        show_in_menu=True,
        menu_order=3,
        text="""
        We are a small team and we read everything that arrives. Here is the quickest way to reach
        the right person.

        - <strong>Letters to the editor</strong> and responses to articles: <a
          href="mailto:letters@practicereview.example">letters@practicereview.example</a>
        - <strong>Pitches and submissions</strong>: <a
          href="mailto:pitches@practicereview.example">pitches@practicereview.example</a>
        - <strong>Webcasts, registration and account help</strong>: <a
          href="mailto:help@practicereview.example">help@practicereview.example</a>
        - <strong>Corrections</strong>: <a
          href="mailto:corrections@practicereview.example">corrections@practicereview.example</a>

        Our editorial office works Monday to Friday, and we aim to reply within five working days.

        We cannot offer clinical advice or recommend individual therapists. If you are in crisis,
        please contact your local emergency services; in the United States you can also call or
        text 988.
        """,
    ),
    _PageSpec(
        title="Privacy",
        text="""
        This page explains what <em>The Practice Review</em> collects about its readers and what we
        do with it. We have tried to write it in plain language.

        ## What we collect

        If you simply read the site, we keep what a web server needs in order to work and stay
        secure: your IP address, the pages you request and your browser type, held in server logs
        for a limited time. If you register, we also store your name, your email address and a
        securely hashed password. If you comment, we store your comment, the name you chose to
        display and the time you posted it.

        ## What we don't do

        - We do not sell or rent reader information to anyone.
        - We do not use advertising trackers.
        - We never show commenters' email addresses publicly.

        ## Your choices

        You can ask us at any time what we hold about you, and ask us to correct or delete it. When
        an account is deleted we remove its personal details; tell us if you would also like your
        comments removed. Write to <a
        href="mailto:help@practicereview.example">help@practicereview.example</a>.

        We will post any change to this policy here, with the date it takes effect.
        """,
    ),
]


def is_loaded() -> bool:
    """Whether publishing's demo content, or any real content, is already there."""
    return Post.objects.exists()


def _publish_time(rng: random.Random, today: dt.datetime, rank: int) -> dt.datetime:
    """The publish time of the rank-th newest dated post: roughly every eleven days, back."""
    day = today - dt.timedelta(days=2 + 11 * rank + rng.randint(0, 4))
    # Editors publish during the working day; wall-clock hours keep clear of DST changes.
    return day + dt.timedelta(hours=rng.randint(7, 17), minutes=rng.randrange(60))


def build(*, rng: random.Random, today: dt.datetime) -> str:
    """Write The Practice Review's demo content and return a one-line summary."""
    people: dict[str, Person] = {
        name: services.create_person(name=name, bio=_squash(bio)) for name, bio in PEOPLE
    }
    categories: dict[str, Category] = {}
    for name, parent, description in CATEGORIES:
        categories[name] = services.create_category(
            name=name, parent=categories[parent] if parent else None, description=description
        )
    tags: dict[str, Tag] = {name: services.get_or_create_tag(name=name) for name in TAGS}

    dated: list[tuple[_PostSpec, str, dt.datetime | None]] = []
    rank = 0
    for spec in POSTS:
        when: dt.datetime | None = None
        status = spec.status
        if status == PostStatus.SCHEDULED:
            # Published with a future time: the service files it as scheduled.
            status, when = PostStatus.PUBLISHED, today + dt.timedelta(days=3, hours=9)
        elif status not in (PostStatus.DRAFT, PostStatus.PENDING):
            when, rank = _publish_time(rng, today, rank), rank + 1
        dated.append((spec, status, when))

    # Oldest first, so that ids rise with publication as they would on a real site.
    for spec, status, when in reversed(dated):
        services.create_post(
            title=spec.title,
            dek=spec.dek,
            body=_html(spec.text),
            excerpt=_squash(spec.excerpt),
            authors=[people[name] for name in spec.authors],
            categories=[categories[name] for name in spec.categories],
            tags=[tags[name] for name in spec.tags],
            status=status,
            published_at=when,
            is_featured=spec.featured,
            is_sticky=spec.sticky,
            comments_open=spec.comments_open,
            visibility=PostVisibility.MEMBERS if spec.members_only else PostVisibility.PUBLIC,
        )

    pages: dict[str, Page] = {}
    for page in PAGES:
        pages[page.title] = services.create_page(
            title=page.title,
            body=_html(page.text),
            parent=pages[page.parent] if page.parent else None,
            show_in_menu=page.show_in_menu,
            menu_order=page.menu_order,
        )

    return (
        f"{len(POSTS)} posts, {len(people)} people, {len(categories)} categories, "
        f"{len(tags)} tags, {len(pages)} pages"
    )
