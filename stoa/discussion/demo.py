"""Demo content for the discussion: readers' comments under The Practice Review's posts.

Everything is written through `stoa.discussion.services`, so the moderation rules judge each
comment as they would a real one: a new reader's first comment is held (and then approved here,
as a moderator would), too many links or a moderation word hold it, a robot or a disallowed word
makes it spam.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from stoa.discussion import notifications, services
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.members.models import User
from stoa.publishing.models import Person, Post

# The discussions below are written in a light markup, one post's comments per string:
# a line starting with ">" begins a comment, and the number of ">" is its depth (">>" replies to
# the comment above it at depth 1). Lines that follow continue it; a blank line within a comment
# separates paragraphs, as a commenter's blank line does.
#
# An optional [tags] after the ">" says who writes the comment or what becomes of it:
#   helen        the editor's own account (marked "Author" under her own posts)
#   p=KEY        a reader from READERS, by key
#   as=N|E|U     a one-off commenter: name, email and (optional) website
#   root         the reader who started the thread
#   again        the reader the parent comment answered (a back-and-forth)
#   held         a first comment, left in the moderation queue
#   links, word  held by the too-many-links or the moderation-word rule
#   spam, bot    marked spam by a moderator (or a disallowed word); sent by a robot (honeypot)
#   trash        trashed by a moderator
#   flag=N       reported by N readers (enough reports hide it again)
# Without an author tag, a reader is drawn at random from the pool.

# (key, name, email, website, drawn at random): readers of the magazine, all fictional.
READERS: list[tuple[str, str, str, str, bool]] = [
    ("okafor", "Nadia Okafor", "nadia.okafor@example.org", "", True),
    ("quietroom", "quietroom_lcsw", "quietroom@example.net", "", True),
    ("halvorsen", "Ben Halvorsen, LMHC", "ben@example.com", "https://halvorsen.example.com", True),
    ("castellanos", "M. Castellanos", "mcastellanos@example.org", "", True),
    ("whitcombe", "Eleanor Whitcombe", "e.whitcombe@example.net", "", True),
    ("tucson", "trainee_in_tucson", "tucsontrainee@example.com", "", False),
    ("abramowitz", "Joel Abramowitz", "joel.abramowitz@example.org", "", True),
    ("carey", "Siobhan Carey", "siobhan.carey@example.net", "https://scarey.example.net", True),
    ("mensah", "Dr. Kwame Mensah", "kmensah@example.com", "", True),
    ("sorensen", "Lena Sørensen", "lena.sorensen@example.org", "", True),
    ("chaudhry", "Raj Chaudhry", "r.chaudhry@example.com", "", True),
    ("ferrer", "Ana Lucía Ferrer", "ana.ferrer@example.net", "https://ferrer.example.org", True),
    ("oldschool", "oldschoolanalyst", "oldschool@example.org", "", True),
    ("teoh", "Grace Teoh, PMHNP", "grace.teoh@example.com", "", False),
    ("devlin", "Paul Devlin", "pdevlin@example.net", "", True),
    ("stahl", "Miriam Stahl, PsyD", "mstahl@example.org", "https://stahlpsych.example.com", True),
    ("beasley", "Tyrone Beasley", "tbeasley@example.com", "", True),
    ("lundgren", "Karin Lundgren", "karin.lundgren@example.net", "", True),
    ("hannah", "Hannah K.", "hannahk@example.org", "", True),
    ("price", "Owen Price", "owen.price@example.com", "", True),
    ("rao", "Sunita Rao", "sunita.rao@example.net", "", True),
    ("weekend", "the_weekend_supervisor", "weekendsupervisor@example.org", "", True),
    ("haddad", "Fatima Haddad", "fhaddad@example.com", "https://haddadfamily.example.com", True),
    ("gallagher", "Colm Gallagher", "colm.gallagher@example.net", "", True),
    ("lowe", "Rebecca Lowe", "rlowe@example.org", "", True),
    ("weber", "Jonas Weber", "jonas.weber@example.com", "", True),
    ("eide", "Maren Eide", "maren.eide@example.net", "", True),
    ("ortega", "Luis Ortega, LCSW", "lortega@example.org", "https://ortega.example.org", True),
    ("fineman", "Deborah Fineman", "dfineman@example.com", "", True),
    ("whitaker", "Sam Whitaker", "sam.whitaker@example.net", "", False),
    ("tanabe", "Yuki Tanabe", "yuki.tanabe@example.org", "", True),
    ("northwoods", "northwoods_mft", "northwoodsmft@example.com", "", True),
    ("eze", "Chidi Eze", "chidi.eze@example.net", "", True),
    ("paulsen", "Ingrid Paulsen", "ingrid.paulsen@example.org", "", True),
    ("nolan", "Patrick Nolan", "pnolan@example.com", "", True),
    ("abiodun", "Esther Abiodun", "e.abiodun@example.net", "https://abiodun.example.net", True),
]  # fmt: skip

# The member account the demo gives one of the people, so that her replies carry the badge.
EDITOR = {
    "person": "Helen Marsh",
    "username": "helen.marsh",
    "email": "helen.marsh@example.org",
    "first_name": "Helen",
    "last_name": "Marsh",
}

# What the demo adds to the moderation settings, so that those rules have something to catch.
MODERATION_WORDS = ("free consultation", "discount code")
DISALLOWED_WORDS = ("seo package", "replica watches")
TRASH_NOTE = "Could identify a client; wrote to the commenter with our guidelines."

USER_AGENTS = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
)
ROBOT_AGENT = "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)"

# The discussions, by post slug. Posts not named here get no comments.
DISCUSSIONS: dict[str, str] = {
    "from-the-editor-opening-the-conversation": """
        > Welcome change. I've been reading since my internship, and half the value was always the
        letters page, which arrived long after I'd forgotten the article. Glad to have the
        conversation sitting right under the piece.
        >> [helen] Thank you, and thank you for sticking with us that long. The letters page isn't
        going anywhere; we'll pick out the best of these discussions for it.
        >>> [root] Good to hear. Some of us still like reading it on paper.

        > I'll be the skeptic. Every professional comment section I've seen ends up as either a
        mutual-admiration society or a fight between the same four people. What will stop that
        happening here?
        >> Honestly, the first-comment review is probably the best safeguard. It's hard to keep a
        flame war going when every new voice has to wait a day.
        >>> [again] Maybe. But the regulars are the ones who fight, and they skip the queue.
        >>>> [helen] Fair point, and we have no illusion that a queue solves everything. We read
        the published threads too, and the "Report" link under each comment comes straight to us.

        If it turns into four people fighting, we'll step in, and we'll say so in the open.
        >> For what it's worth, the consultation groups I've belonged to were also mostly the same
        four people. It didn't stop them being useful.

        > [p=tucson] The rule I'd underline is the third one, "say where you are speaking from." So:
        I'm a second-year MSW student, and without that line I would have been too intimidated to
        post here at all.
        >> Welcome. Student questions are often the ones that make the rest of us check our
        assumptions.
        >> [helen] That's exactly why it's there. Please do ask.

        > [p=fineman] A practical question: can I comment under a pseudonym? Some of my clients read
        this magazine, and I'd rather they didn't find me arguing about fees.
        >> [helen] Yes. The name you give is the name we show; we only ask for a working email
        address, which is never published. Plenty of our regulars use a handle.
        >>> [root] Thank you, that settles it. You may see me again under another name.
        >> Worth remembering that clients can recognize us by the way we write, not just by a name.
        I try to write here as if one of them were reading over my shoulder.

        > I appreciate the line about changing the details or leaving the story out. I'd go a step
        further: even a heavily disguised case can be recognized by the client, and the client is
        the person whose trust matters most.

        The editorial standards page says as much, but it bears repeating in a comment box, where
        people write quickly.
        >> Agreed. I've started asking myself whether I'd be comfortable with the client reading
        the comment. If not, it doesn't get posted.
        >>> That's a good test, though it's a high bar. Some of the most useful things said in
        consultation would never pass it.
        >>>> [again] True, and that is probably why consultation happens behind a closed door
        rather than in a comment box.

        > <blockquote>The best conversations in our field have always been slow ones</blockquote>
        I love this. Whoever wrote that letter, thank you.
        >> [helen] We never managed to track the writer down again, so if you are reading this:
        it's still on the wall above my desk.

        > Will the authors respond to comments, or is this readers talking among ourselves?
        >> [helen] Some will, when they have time; that's up to each of them. When an author
        replies, the comment is marked "Author" so you can tell.
        >>> [root] That's a nice touch. I'll watch out for it.

        > Thank you for the paragraph about safety. I moderate a listserv for our state
        association, and the hardest moments are always the posts that hint someone is in trouble.
        Having the expectation written down in advance helps everyone.

        > Not a complaint exactly, but I wondered about "open to registered readers." Does that
        mean I need an account to comment?
        >> [helen] No, and I should have worded that more carefully: anyone can comment with a name
        and an email address. Registered readers skip a step or two, that's all.
        >>> [root] Thanks for clarifying. Less friction is good.

        > It's a small thing, but I'm glad there's no thumbs-up button. Counting likes is the
        quickest way to turn a thread into a contest.
        >> Agree. The best comment in a thread is often the one with no replies.

        > [as=Walter Greaves|wgreaves@example.net] I have been a therapist for thirty-one years and
        have never once commented on anything online. Consider this my first. We'll see how it
        goes.
        >> Welcome! Here's hoping it isn't the last.
        >> [helen] We're honored to be the first.

        > [held, as=Gwendolyn Tate|gwen.tate@example.com] Just found the magazine through a
        colleague. Is there a way to get an email when somebody replies to my comment?

        > One suggestion: a short monthly roundup of the best discussions would help those of us
        who can't keep up with every thread.
        >> Seconded. I'd read that before I read most newsletters.
        >>> [helen] Noted, and we've been thinking along the same lines. Let's see what the
        threads look like after a couple of months.
    """,
    "the-pause-before-the-answer": """
        > The distinction between the frozen silence and the working silence is the most useful
        thing I've read this month. I've definitely sat through frozen silences believing I was
        being respectful, when the client had in fact left the room.
        >> Same. The tell for me is the eyes: in a working silence they move, in a frozen one they
        fix on a spot on the carpet.
        >>> That matches my experience, though I've had clients who look at the floor the whole
        time they're thinking. I'd be careful with any single cue.
        >>>> [again] Fair. A prompt to check, then, rather than a rule.
        >> How do you bring someone back from the frozen kind without startling them? I tend to
        say their name, and I'm not sure it's the best choice.
        >>> Something in the present tense helps me: "Can you feel the chair under you?" Said
        quietly, and then I wait again.
        >>> Their name first, then something ordinary about the room. The ordinariness seems to be
        the point.

        > [p=tucson] As a trainee, I found this reassuring and a little terrifying. Reassuring
        because I'm not the only one who wants to fill every pause; terrifying because I now count
        the seconds, which I suspect is not the idea.
        >> It isn't, but everyone counts at first. Eventually you stop noticing the seconds and
        start noticing the client.
        >> A supervisor once told me to let my breath out slowly before I speak. It builds in a
        pause without turning it into a test of willpower.
        >>> [root] I'm going to try that this week. Thank you.

        > I'd push back a little. Silence works differently across cultures, and for some of my
        clients a long pause from the therapist reads as disapproval, not space. I wish the clip
        said more about that.
        >> Yes. In my community clinic, long silences with new clients were often taken as me
        judging them. I learned to narrate a little: "I'm thinking about what you just said."
        >>> [again] That's a nice way of making the pause visible without ending it.
        >> I think the waiting silence is where this shows up most. If the client is watching to
        see what you expect, what you expect is shaped by culture on both sides of the room.

        > "Naming it gently" is harder than it sounds. The first time I tried <em>I notice we're
        both waiting</em>, the client said, "Well, you're the therapist," and I had no idea where to
        go next.
        >> That sounds like a great opening, honestly. "What do you imagine I'm waiting for?"
        >>> [root] In hindsight, yes. In the moment I laughed nervously and asked about her week.
        >>>> We have all asked about the week. It's the therapist's version of talking about the
        weather.

        > Is the full <em>Quiet Hour</em> series open to individual readers, or only through a
        university subscription? I'd like to use it with our practicum group.
        >> [helen] Registered readers can watch the full series. For use in a training program,
        write to us through the contact page and we'll sort something out.

        > Her story about speaking too soon stayed with me all day. It's rare to see an
        experienced clinician show a mistake that plainly, and rarer still to hear what the client
        made of it.

        > Does anyone else find silence much harder on video? With the lag I can't tell whether
        the client is thinking or the connection has dropped.
        >> All the time. I now tell clients at the start of video work that if I go quiet I'm
        probably thinking, and ask them to tell me if the picture freezes.
        >> Audio-only sessions are surprisingly better for this, in my experience. Without a frozen
        picture, a pause just sounds like a pause.

        > [p=oldschool] Psychodynamic colleague here. It's refreshing to see silence treated as
        something to read rather than a technique to apply. In my training the silence was almost
        a rule, and I've seen it used in ways that were frankly cruel to anxious clients.
        >> I had a therapist like that myself, many years ago. Forty-minute silences. I learned a
        great deal from him, mostly about how not to do it.

        > [held, as=Anders Holm|anders.holm@example.net] Where can I find the full series? I
        looked under the webcasts and could only find this clip.

        > [spam, as=Daily Wellness Tips|tips@example.net|https://dailywellness.example.net] Very
        informative article, thanks for sharing!! I have bookmarked your blog and will share it
        with my friends. Visit my site for more daily wellness tips and tricks.
    """,
    "raising-your-fee-without-losing-your-nerve": """
        > The line about turning a business notice into a request for permission hit home. Last
        year I spent fifteen minutes justifying a ten-dollar increase to a client who, it turned
        out, assumed I'd raised my fee years ago.
        >> Ha. I had a client tell me she'd been wondering when I would finally get round to it.
        >> This is so common. We project our own discomfort about money onto clients, who are often
        far more matter-of-fact about it than we are.
        >>> [again] That, and most of them pay other professionals who raise their fees every year
        without a word of apology.

        > I keep existing clients at their old rate and charge new clients the higher fee. It means
        I have about five different fees on my books, which is an administrative nightmare, but it
        feels fairer to me.
        >> I did that for years, until I realized my longest-standing clients were paying the
        least. That was its own kind of unfairness, to me if nobody else.
        >>> [root] That's a good point. Maybe a phased approach, with long-term clients moving up
        more slowly?
        >>>> [again] That's what I do now: the new fee for new clients at once, existing
        clients six months later. Easier to explain, and never more than two fees at a time.
        >> Five fees would drive me mad. Do you track them in your practice software, or in a
        spreadsheet?
        >>> [root] A spreadsheet. Color-coded. Which tells you everything you need to know about
        me.

        > [flag=1] Sixty days' notice seems long to me. Thirty has always been plenty in my
        practice, and a longer lead time just means two months of the client stewing about it.
        >> It depends on the client's finances, surely. For someone on a fixed income, two months
        to plan is a kindness.
        >> Stewing can be useful material, though. I'd rather they stewed with me in the room than
        on their own.
        >>> [root] Fair. I hadn't looked at it that way.

        > Thank you for writing about this without the usual mixture of guilt and hustle. It's
        good to read someone treat fees as a clinical matter and a business matter at once.

        > A question for Priya, or anyone: how do you handle a fee increase with a couple when one
        partner pays and the other clearly has feelings about that?
        >> In couples work I raise it with both present, and put it in writing to both. If one
        partner pays, that is usually material in itself.
        >>> Agreed. Money is already in the room with most couples; the fee change just makes it
        visible.

        > [word] I run a small peer group for early-career clinicians on exactly this topic, and I
        offer a free consultation to anyone who is nervous about their first fee conversation.
        Happy to help anyone reading.

        > I work in an agency and don't set my own fee, but the script helped me with a different
        conversation: telling clients our clinic is bringing in a late-cancellation charge.
        >> Same principle, I'd think. Say it plainly, put it in writing, then leave room for the
        feelings.

        > My first fee increase came the week I passed my licensing exam. I printed the letter,
        then hid it in a drawer for three weeks. This article would have saved me those three
        weeks.

        > One small addition: check whether your increase needs notice under any insurance or
        employee-assistance contracts you've signed. Some of them have rules of their own.
        >> Good point. Some EAP contracts fix the rate for the year, whatever you charge privately.

        > The advice to <em>then stop talking</em> applies to far more than fees. I'm writing it
        on a sticky note for my monitor.
        >> Me too. It's the hardest instruction in the whole piece.

        > [spam, as=RankBoost Marketing|growth@example.com|https://rankboost.example.com]
        Therapists! Our SEO package gets your practice to page one in 30 days, guaranteed.
        Hundreds of counselors already trust us. Reply today for a special price.
    """,
    "sleep-is-the-first-intervention": """
        > "Tell me about your nights" is going straight into my intake. I've been asking "How's
        your sleep?" for years and getting "fine" from people who are clearly not sleeping.
        >> The detail is what matters. When I ask what time they go to bed and what time they get
        up, "fine" often turns out to be nine hours in bed and five of them asleep.
        >>> [root] That's exactly the pattern I suspect I've been missing.

        > For anyone wanting a source: the American College of Physicians recommends CBT-I as the
        first treatment for chronic insomnia in adults, before medication. It's useful to be able
        to say so when a client's physician is skeptical.
        >> Thank you. A prescriber pushed back on me recently and I couldn't remember where the
        recommendation came from.

        > I trained in CBT-I two years ago, and the hardest part isn't the technique, it's sleep
        restriction. Clients hear "spend less time in bed" and look at me as if I'd suggested they
        stop eating.
        >> How do you introduce it? I'm thinking of training, and that's the part that makes me
        nervous.
        >>> [again] I explain the logic first, sleep pressure building up like hunger, and I'm
        honest that the first two weeks are hard. And I never start it in the middle of a crisis.
        >>>> [again] That makes sense. Thank you, that's genuinely helpful.
        >> Worth saying that restriction isn't right for everyone. People with bipolar disorder
        or a seizure disorder need medical input before anyone shortens their nights.
        >>> [again] Absolutely, and I should have said so. It's in every protocol for good reason.

        > I work mostly with new parents. For them, standard sleep advice can land as a bad joke.
        Any thoughts on adapting this for people whose sleep is being interrupted by somebody
        else?
        >> I focus on protecting one longer stretch rather than total hours: who takes which feed,
        earplugs for the parent who is off duty, that kind of thing. It's logistics, but clinical
        logistics.
        >> The grandparents piece in the archive has a line about practical strain being
        clinical material. It applies here too.

        > Really glad you included sleep apnea. I had a client whose "treatment-resistant
        depression" improved dramatically after a sleep study and a CPAP machine. In six years of
        treatment, nobody had asked about snoring.
        >> Stories like this are why I now ask every client whether anyone has told them they
        snore. It feels like an odd question in a therapy intake, but it has paid off more than
        once.

        > Looking forward to the nightmares piece. Imagery rehearsal has made a real difference for
        several of my trauma clients, and I'd love to see it written up for a general clinical
        audience.
        >> Seconded. I trained in it years ago but rarely see it discussed outside specialist
        circles.

        > [links] Three resources I give clients: a <a href="https://sleep-diary.example.org/">sleep
        diary template</a>, a <a href="https://www.example.org/cbti-guide">plain-language guide to
        CBT-I</a> and a <a href="https://providers.example.net/cbt-i">directory of trained
        providers</a>. All free.

        > A slight caution about "consider training in it yourself." CBT-I done well takes real
        competence, and I've seen well-meaning therapists make a client's insomnia worse with a
        half-remembered version of sleep restriction. Sometimes a referral is the better choice.
        >> Both can be true. Training properly is the point; dabbling is the problem.
        >>> [root] Agreed, with the weight on "properly."

        > Has anyone used digital CBT-I programs as a bridge while clients wait for a provider?
        The waiting lists near me are months long.
        >> I've used them with motivated clients, and they do help some. The ones who struggle are
        the ones who would struggle with any self-guided program.
        >> Coming back to this now that comments are open. My clinic started running CBT-I as a
        group for exactly that reason: six weeks, eight people at a time, and the waiting list
        has halved.

        > [held, as=A. Brightwater|abrightwater@example.net] What about melatonin? So many of my
        clients take it, and I never know what to say when they ask me about it.

        > [p=teoh] I'm a psychiatric nurse practitioner, and I wish more therapists read pieces
        like this. Half my job is undoing the idea that sleep will sort itself out once mood
        improves.
    """,
    "five-minutes-between-clients": """
        > I'm the almond person. For the record, on difficult days it is occasionally two.
        >> [helen] Thank you for writing in, and for the correction. We'll note it for the
        archive.
        >>> [root] The archive deserves accuracy.
        >> This is my favorite comment on the whole site so far.

        > I don't have five minutes. I work in an agency that books sessions back to back on the
        hour, and notes are expected the same day. The last paragraph made me want to cry a little.
        >> Same situation here. What finally helped was our team writing to management together.
        One person asking for a gap is a complaint; twelve people asking is a policy question.
        >>> [root] That's encouraging. How did management respond?
        >>>> [again] Not quickly. But we now have ten minutes every other hour, which is something.
        >> [helen] Thank you for saying it so plainly. We've had a lot of letters like yours, and
        we're planning a piece on caseloads and scheduling in agencies.

        If you'd be willing to talk to us for it, the contact page reaches me directly.

        > I write my one sentence on an index card, then turn it face down. Something about turning
        it over lets the session go in a way typing never did.
        >> I love that. The physical act seems to matter. I close a paper notebook, with a bit of a
        thump.

        > A two-minute walk to the end of the corridor and back. There's a window at the end that
        looks out on a parking lot, which isn't scenic, but it's far away, and far away is what
        counts.

        > The floor person is my hero. I'm going to lie down on my office floor tomorrow and see
        what happens.
        >> Report back! I've done it for years. The trick is to do it before you check your phone.
        >>> [root] Report: it was wonderful, and the cleaner walked in halfway through. Mixed
        results.
        >>>> [helen] This thread is everything I hoped the comments would be.

        > In my hospital job the gap is the walk between wards. I've started taking the stairs
        instead of the elevator, purely for the ninety seconds when nobody can stop me.

        > What strikes me in these answers is how many are about the body. After an hour of
        listening with the mind, we seem to need something physical to mark the ending.
        >> Which fits the research on burnout, too: recovery has to be something other than more
        of the same.

        > Honest confession: I use the five minutes to check email, and I know it's the worst
        possible choice. Reading this made me realize I haven't had a real break between clients
        in about three years.
        >> Maybe start with one gap a day that's email-free? Changing all of them at once never
        works for me.
        >>> [root] One a day I can manage. Thank you.

        > A prayer, said silently, before I open the door for the next person. It isn't for
        everyone, but it has been part of my practice for twenty years.
        >> Thank you for sharing this. I have a short line I repeat too. Not religious, but it does
        the same work.

        > I'd love a follow-up on what supervisors can do to protect the gap for trainees. Ours
        are booked solid by the clinic, and none of them feel they can ask.
        >> [helen] That's a great suggestion. Consider it on the list.
    """,
    "shame-hides-in-the-small-talk": """
        > The point about laughing along as a way of agreeing to keep the door closed is
        uncomfortable in the best way. I have a client whose opening joke I now can't unhear.
        >> Same. Though sometimes the laugh really is rapport and the joke is only a joke. The work
        is telling the difference, and I don't always manage it.

        > Early apologies are the one I notice most. "Sorry, I'm two minutes early," from someone
        who is never late for anything.

        > [trash, as=Dana R.|dana.r@example.org] This is exactly my client. He's the only
        orthodontist in our town, his father ran the hardware store on Main Street and mocked him
        at every church supper, and he opens every session with a joke about his teeth.
    """,
    "the-question-nobody-has-asked": """
        > I've used the grandmother question for years. It gets the most surprising answers from
        teenagers, who often know exactly what their grandmother would say and have never been
        asked.

        > "What are you most afraid I will think of you?" is a brave thing to ask a parent. Do you
        wait until there's some trust, or ask it early?
        >> I asked it too early once and the father walked out. I'd wait until they've seen you're
        on their side, at least a little.
        >>> [root] That's helpful, thank you. Probably true of most of these questions.

        > Lovely to see the trainee finally credited, even if it took a magazine article.
    """,
    "stabilization-is-not-a-waiting-room": """
        > "The client begins to disagree with me, and stays in the room while doing it." I've
        never seen that described as a marker of progress, but it's exactly right.
        >> It's one of the best moments in trauma work. The first time a client tells me I've got
        something wrong, I try to thank them for it.

        > I'd be interested to hear how you talk with clients who experience stabilization as a
        delay. I've had people feel patronized by it and want to get to "the real stuff."
        >> In my experience, describing it as the work, rather than a preparation for the work,
        changes how it lands. "Not a waiting room" might even be a phrase to use with clients.

        > As an EMDR clinician, thank you. The preparation phase is rushed far too often in the
        trainings I've seen.
    """,
    "the-couple-who-fights-about-the-dishes": """
        > "The moment you rule on the frying pan, you have joined the fight." This should be
        printed on the inside of every couples therapist's eyelids.

        > [flag=1] I'd gently push back on "it's almost never about the dishes." Sometimes the
        division of labor really is unfair, and treating it purely as a symbol can leave the
        partner doing most of the work feeling unheard twice.
        >> Good point, though I don't read the piece as disagreeing. The fear underneath and the
        real inequity both need attention.
        >>> [root] Agreed, it's a matter of emphasis. I'd just want the chore chart to come back
        at some point.
    """,
    "what-i-wish-my-supervisor-had-told-me": """
        > "Which client are you dreading seeing this week?" I'm borrowing that for my supervisees,
        starting on Monday.
        >> [helen] Marcus will be pleased. That question came up three times in our conversation;
        it has clearly stayed with him.

        > The physical tiredness surprised me too. Nobody mentions it in training. For a whole
        year I thought I was just unfit.

        > Thank you for the part about not liking some clients. Fifteen years in, I still feel
        guilty about it.
    """,
    "grief-without-a-calendar": """
        > A small correction: ICD-11 was adopted in 2019 but only came into effect in January
        2022, so in practice the two diagnoses reached clinics at about the same time.
        >> Useful context, thank you. I hadn't realized the gap was that small.

        > I work in hospice bereavement, and my worry is less the diagnosis itself than insurers
        using it to ration support for everyone who doesn't meet the criteria.
        >> That's a real risk. Though in my experience, without a diagnosis the support often isn't
        funded at all.

        > The widow who hasn't left her house and the father setting a place at the table: both
        instantly recognizable. Thank you for keeping the human picture next to the criteria.
    """,
    "parenting-the-anxious-teenager-without-taking-over": """
        > The paragraph about the parents' own distress is the heart of it. Most parents can
        change almost any habit once they can bear watching their child be uncomfortable for a
        few minutes.

        > Is there a parent-focused program you'd recommend for clinicians who want to train? I've
        heard good things about several but don't know where to start.
        >> Not Marcus, but the research he describes is about reducing family accommodation.
        Searching for that phrase will turn up the main programs and the trainings for them.

        > The midnight texts described my own house. I'm a therapist and a parent, and I don't
        always manage to be both at once.
    """,
    "telehealth-after-the-emergency": """
        > Worth adding that the interstate licensure compacts for psychologists and counselors are
        starting to change the picture for some of us. Check whether your state has joined before
        assuming you can't keep seeing a client who moves.
        >> Good addition, though the details differ by profession and by state, so read the rules
        carefully before relying on them.

        > The location check at the start of each session has already saved me once. A client
        joined from a friend's house two states away, and I'd never have known otherwise.

        > I'm one of the clinicians who went back to mixing formats. Four hours of video in a row
        leaves me more tired than eight in the room. The <a
        href="https://www.example.org/telehealth-fatigue">fatigue survey</a> our state association
        ran last year found the same.
    """,
    "what-the-vagus-nerve-can-and-cannot-explain": """
        > Thank you for writing this so carefully. I've lost count of the workshops that promised
        to teach me to "tone" a client's vagus nerve.

        > [flag=3] This is lazy skepticism dressed up as science. The author has obviously never
        done any real somatic training and should stick to writing prescriptions.

        > I use the polyvagal language with clients because they find it helpful, and I think that
        is fine as long as I don't pretend it's settled science. That's roughly where this piece
        lands too.
        >> That's where I've ended up as well. Metaphor and mechanism are different things, and
        clients can handle being told which one you're offering.
    """,
    "the-anxious-client-who-wants-a-worksheet": """
        > "What would happen if you did this badly?" I asked a perfectionistic client almost
        exactly that last year, and it changed the course of the work.

        > As a CBT therapist, I'm grateful this doesn't set structure and depth against each
        other. The best exposure work I've done has always involved the client's feelings, not
        just the hierarchy.
        >> Agreed. And color-coded homework is data in its own right.
    """,
    "repairing-the-rupture-you-caused": """
        > "A repair that turns into a long confession puts the client in the position of looking
        after you." I've done this, and I've watched a supervisee do it. Worth reading twice.

        > The story of the man in his sixties is moving. It's striking how rarely anyone
        apologizes to an adult for being impatient with them.
        >> I think that's why it lands so hard in therapy. For many clients it's the first time
        anyone has.
    """,
    "moral-injury-on-the-night-shift": """
        > [as=Liesl Amundsen|liesl.amundsen@example.com] I'm an ICU nurse, and a colleague sent me
        this. The sentence from the nurse at the end made me put my phone down for a while. Thank
        you.
        >> Thank you for reading, and for the work you do. I hope you have somewhere to take these
        things.

        > Do you find group work helpful with moral injury, or does the shame make it too
        exposing?
        >> In my experience groups can be powerful once people are ready, precisely because shame
        shrinks when others recognize it. But I wouldn't start there.
    """,
    "sliding-scales-done-honestly": """
        > Publishing my criteria was the best change I ever made. I stopped having to play judge in
        every first phone call.

        > The colleague who gives a day a month to a clinic: I'm quietly persuaded. It keeps the
        generosity and removes the awkwardness.
        >> It depends on there being a clinic nearby to give the day to. In rural areas a sliding
        scale may be the only way in.
        >>> [root] Fair. I'm in a city and forgot that.
    """,
    "teenagers-who-did-not-ask-to-be-here": """
        > "I'm guessing this wasn't your idea" is the most useful sentence I learned in my first
        year. It works with adults who have been sent by their spouses, too.

        > Letting them choose whether the door stays open is a small thing that makes a huge
        difference. Thank you for including it.
    """,
    "breathing-exercises-a-cautious-guide": """
        > Thank you for the section on panic. I've had clients become more anxious during
        breathing exercises and assumed I was teaching them badly.
        >> Same here. Knowing it's a recognized pattern rather than my failure is a relief.

        > The grounding handout our clinic uses is here: https://www.example.org/grounding-handout

        It starts with the feet on the floor rather than the breath, for exactly the reasons you
        describe.

        > Permission to stop is the whole thing. A technique the client can't leave isn't a
        technique any more; it's a trap.

        > [bot, as=EssayPro Helpers|orders@example.net|https://essaypro.example.net] nice post.
        professional essay help 24/7, all subjects, cheap prices, no plagiarism. order now!!!
    """,
    "leaving-the-agency-a-ledger-of-my-first-year-in-private-practice": """
        > The paper towels made me laugh. Nobody tells you about the paper towels.

        > [p=whitaker] I'm eight months into private practice, and the section on isolation is the
        truest thing I've read about it. Joining a consultation group is now on this week's list.
        >> Do it. Mine meets once a month over breakfast, and it's the last meeting I'd give up.
    """,
    "does-exercise-treat-depression": """
        > The point about dropouts being the most depressed is important and rarely made. Thank
        you.

        > Starting with ten minutes tied to something the client values is how behavioral
        activation works in my practice, too. One client walked her neighbor's dog for two weeks
        before she would walk on her own.
    """,
    "letters-on-telling-clients-about-ourselves": """
        > The family therapist in Texas describes my life exactly. In a small town the question is
        never what to disclose, but what to do with what everyone already knows.
        >> [helen] That letter brought more replies to our inbox than any other. Clearly a lot of
        you are living it.

        > "Whose comfort my neutrality was serving" is a question I needed to read today.
    """,
    "grandparents-at-the-kitchen-table": """
        > The idea that a referral to a legal clinic can be the most therapeutic moment of a
        session deserves more attention. Our training undervalues the practical.

        > [held, as=Marco Bellini|marco.bellini@example.org] I'm a school counselor, and we have
        many kinship families. Are there resources written for schools in particular?
    """,
    "burnout-is-not-a-personal-failing": """
        > "Burnout is information about your working life, not a verdict on your character."
        Thank you both.

        > Relief when clients cancel: I felt that for a whole year and told nobody. Reading Claire
        say it is oddly comforting.
        >> I think many of us have felt it and assumed it meant we were in the wrong job. More
        often it means we're carrying the wrong caseload.
    """,
}

# Tags that leave a comment out of the published thread: nobody can reply to it.
_UNPUBLISHED = frozenset({"held", "links", "word", "spam", "bot", "trash"})
_MARKER = re.compile(r"^(>+)\s*(?:\[([^\]]*)\])?\s*(.*)$")


@dataclass
class _Spec:
    """One comment as written above, before it has an author, a time or a row."""

    depth: int
    tags: dict[str, str]
    lines: list[str]
    parent: _Spec | None = None
    children: list[_Spec] = field(default_factory=list)

    @property
    def text(self) -> str:
        paragraphs, current = [], []
        for line in [*self.lines, ""]:
            if line:
                current.append(line)
            elif current:
                paragraphs.append(" ".join(current))
                current = []
        return "\n\n".join(paragraphs)

    @property
    def root(self) -> _Spec:
        return self if self.parent is None else self.parent.root


def _parse(source: str) -> list[_Spec]:
    """The threads of one post's discussion, top-level comments with their replies."""
    roots: list[_Spec] = []
    stack: list[_Spec] = []
    for raw in source.strip().splitlines():
        line = raw.strip()
        match = _MARKER.match(line)
        if match is None:
            if not stack:
                raise ValueError(f"Text before the first comment: {line!r}")
            stack[-1].lines.append(line)
            continue
        depth = len(match.group(1))
        if depth > len(stack) + 1:
            raise ValueError(f"A reply deeper than its parent allows: {line!r}")
        tags: dict[str, str] = {}
        for tag in (match.group(2) or "").split(","):
            if tag.strip():
                key, _, value = tag.strip().partition("=")
                tags[key] = value
        parent = stack[depth - 2] if depth > 1 else None
        if parent is not None and _UNPUBLISHED & parent.tags.keys():
            raise ValueError(f"A reply to a comment that is never published: {line!r}")
        spec = _Spec(depth=depth, tags=tags, lines=[match.group(3)], parent=parent)
        if parent is None:
            roots.append(spec)
        else:
            parent.children.append(spec)
        stack = [*stack[: depth - 1], spec]
    return roots


@dataclass(frozen=True)
class _Commenter:
    """Who writes a comment, and from where."""

    author: User | services.Guest
    origin: services.Origin

    @property
    def email(self) -> str:
        return self.author.email


@dataclass
class _Planned:
    """A comment with its post, author and time, waiting to be written."""

    spec: _Spec
    post: Post
    commenter: _Commenter
    created_at: dt.datetime


def is_loaded() -> bool:
    """Whether any comment, from the demo or from readers, is already there."""
    return Comment.objects.exists()


def _add_lines(current: str, words: tuple[str, ...]) -> str:
    present = DiscussionSettings.lines(current)
    missing = [word for word in words if word not in present]
    return "\n".join([*current.strip().splitlines(), *missing]).strip()


def _prepare_settings() -> None:
    """Give the moderation-word and disallowed lists the entries the demo's comments meet."""
    row = DiscussionSettings.current()
    moderation_keys = _add_lines(row.moderation_keys, MODERATION_WORDS)
    disallowed_keys = _add_lines(row.disallowed_keys, DISALLOWED_WORDS)
    if (moderation_keys, disallowed_keys) != (row.moderation_keys, row.disallowed_keys):
        row.moderation_keys, row.disallowed_keys = moderation_keys, disallowed_keys
        row.save()


def _editor_account() -> User | None:
    """The editor's member account, linked to her byline, so her replies show the badge."""
    person = Person.objects.filter(name=EDITOR["person"]).select_related("user").first()
    if person is None:
        return None
    if person.user is not None:
        return person.user
    user = User.objects.filter(username=EDITOR["username"]).first()
    if user is None:
        # No password: the demo never logs in as her, and neither can anyone else.
        user = User.objects.create_user(
            username=EDITOR["username"],
            email=EDITOR["email"],
            first_name=EDITOR["first_name"],
            last_name=EDITOR["last_name"],
        )
    elif Person.objects.filter(user=user).exists():
        return None
    person.user = user
    person.save(update_fields=["user"])
    return user


class _Cast:
    """The commenters: readers drawn from the pool, one-off visitors, the editor. Each keeps
    one address and one browser, drawn once."""

    def __init__(self, rng: random.Random, editor: User | None) -> None:
        self.rng = rng
        self.addresses = [
            f"{net}.{host}"
            for net in ("192.0.2", "198.51.100", "203.0.113")
            for host in range(1, 255)
        ]
        rng.shuffle(self.addresses)
        self.by_email: dict[str, _Commenter] = {}
        self.readers: dict[str, _Commenter] = {}
        self.pool: list[_Commenter] = []
        for key, name, email, url, drawn in READERS:
            reader = self._commenter(services.Guest(name, email, url))
            self.readers[key] = reader
            if drawn:
                self.pool.append(reader)
        self.editor = self._commenter(editor) if editor is not None else None

    def _commenter(self, author: User | services.Guest, *, robot: bool = False) -> _Commenter:
        found = self.by_email.get(author.email)
        if found is None:
            agent = ROBOT_AGENT if robot else self.rng.choice(USER_AGENTS)
            origin = services.Origin(
                ip_address=self.addresses.pop(),
                user_agent=agent,
                honeypot="https://essaypro.example.net/order" if robot else "",
            )
            found = self.by_email[author.email] = _Commenter(author, origin)
        return found

    def visitor(self, tag: str, *, robot: bool) -> _Commenter:
        name, email, url = [*tag.split("|"), "", ""][:3]
        return self._commenter(services.Guest(name, email, url), robot=robot)

    def for_spec(
        self, spec: _Spec, authors: dict[int, _Commenter], taken: set[str]
    ) -> _Commenter | None:
        """The commenter a comment's tags name, or a reader from the pool not already in
        this conversation."""
        tags = spec.tags
        if "helen" in tags:
            return self.editor
        if "as" in tags:
            return self.visitor(tags["as"], robot="bot" in tags)
        if "p" in tags:
            return self.readers[tags["p"]]
        if "root" in tags:
            return authors.get(id(spec.root))
        if "again" in tags:
            grandparent = spec.parent.parent if spec.parent else None
            return authors.get(id(grandparent)) if grandparent else None
        ancestors, node = set(), spec.parent
        while node is not None:
            if id(node) in authors:
                ancestors.add(authors[id(node)].email)
            node = node.parent
        choices = [r for r in self.pool if r.email not in ancestors and r.email not in taken]
        return self.rng.choice(choices or self.pool)


def _launch() -> dt.datetime | None:
    """When discussion opened: the sticky editorial that announced it, if there is one."""
    times = Post.objects.published().filter(is_sticky=True).values_list("published_at", flat=True)
    return min((when for when in times if when is not None), default=None)


def _plan_post(
    post: Post,
    roots: list[_Spec],
    cast: _Cast,
    *,
    rng: random.Random,
    start: dt.datetime,
    end: dt.datetime,
) -> list[_Planned]:
    """Authors and times for one post's comments: threads start early and thin out, replies
    follow their parents within hours."""
    window = end - start
    planned: list[_Planned] = []
    authors: dict[int, _Commenter] = {}
    top_level: set[str] = set()

    def when(after: dt.datetime, spread: dt.timedelta) -> dt.datetime:
        moment = (after + spread).replace(second=rng.randrange(60), microsecond=0)
        moment = moment if moment > after else moment + dt.timedelta(minutes=1)
        # Most readers sleep: a comment drawn for the small hours waits for the morning.
        hour = timezone.localtime(moment).hour
        if hour < 7:
            later = moment + dt.timedelta(hours=7 - hour, minutes=rng.randrange(240))
            moment = later if later < end else moment
        return moment

    offsets = sorted(window * 0.85 * rng.random() ** 1.7 for _ in roots)
    queue: list[tuple[_Spec, dt.datetime]] = [
        (spec, when(start, offset)) for spec, offset in zip(roots, offsets, strict=True)
    ]
    while queue:
        spec, created_at = queue.pop(0)
        created_at = max(created_at, start)
        commenter = cast.for_spec(spec, authors, top_level if spec.parent is None else set())
        if commenter is None:
            continue  # no editor account (no byline to link it to): skip her reply and its replies
        authors[id(spec)] = commenter
        if spec.parent is None:
            top_level.add(commenter.email)
        planned.append(_Planned(spec, post, commenter, created_at))
        remaining = end - created_at
        gaps = []
        for _ in spec.children:
            gap = dt.timedelta(minutes=rng.expovariate(1 / 150))
            gaps.append(max(min(gap, remaining * 0.6), min(dt.timedelta(minutes=4), remaining / 2)))
        queue.extend(
            (child, when(created_at, gap))
            for child, gap in zip(spec.children, sorted(gaps), strict=True)
        )
    return planned


def _reporter(address: str) -> str:
    """A reader's report key, made as the report view makes it from an address."""
    raw = f"{settings.SECRET_KEY}:{address}".encode()
    return "ip:" + hashlib.sha256(raw).hexdigest()[:40]


def _write(plan: _Planned, parent: Comment | None) -> Comment | None:
    """Write one comment through the services, then moderate it as an editor would."""
    tags = plan.spec.tags
    try:
        comment = services.post_comment(
            post=plan.post,
            author=plan.commenter.author,
            body=plan.spec.text,
            parent=parent,
            origin=plan.commenter.origin,
            created_at=plan.created_at,
        )
    except (services.CommentRefused, ValidationError):
        return None  # refused (the site closes comments on old posts, say): carry on without it
    if "spam" in tags:
        services.spam_comment(comment=comment)
    elif "trash" in tags:
        services.trash_comment(comment=comment, note=TRASH_NOTE)
    elif comment.status == CommentStatus.PENDING and not {"held", "links", "word"} & tags.keys():
        services.approve_comment(comment=comment)
    return comment


def build(*, rng: random.Random, today: dt.datetime) -> str:
    """Write the readers' discussions under the demo posts and return a one-line summary."""
    # Demo readers and moderators need no emails about comments that were never written.
    with notifications.silenced():
        return _build(rng=rng, today=today)


def _build(*, rng: random.Random, today: dt.datetime) -> str:
    _prepare_settings()
    cast = _Cast(rng, _editor_account())
    posts = {
        post.slug: post
        for post in Post.objects.published().filter(slug__in=DISCUSSIONS, comments_open=True)
    }
    launch = _launch()
    end = (today - dt.timedelta(minutes=20)).astimezone(dt.UTC)

    planned: list[_Planned] = []
    for slug, source in DISCUSSIONS.items():
        post = posts.get(slug)
        if post is None or post.published_at is None:
            continue
        opened = max(post.published_at, launch or post.published_at).astimezone(dt.UTC)
        start = opened + dt.timedelta(minutes=rng.randint(20, 90))
        if end - start < dt.timedelta(hours=6):
            continue
        planned += _plan_post(post, _parse(source), cast, rng=rng, start=start, end=end)

    # Oldest first across the site, so that each reader's first comment is the one held.
    written: dict[int, Comment] = {}
    for plan in sorted(planned, key=lambda p: p.created_at):
        parent = None
        if plan.spec.parent is not None:
            parent = written.get(id(plan.spec.parent))
            if parent is None or parent.status != CommentStatus.APPROVED:
                continue
        comment = _write(plan, parent)
        if comment is not None:
            written[id(plan.spec)] = comment

    # Readers' reports come last, from addresses of readers who were not in the thread.
    addresses = [reader.origin.ip_address or "" for reader in cast.pool]
    for plan in planned:
        comment = written.get(id(plan.spec))
        count = int(plan.spec.tags.get("flag") or 0)
        if comment is None or not count:
            continue
        others = [a for a in addresses if a != plan.commenter.origin.ip_address]
        for address in rng.sample(others, count):
            services.flag_comment(comment=comment, reporter=_reporter(address))

    statuses = [c.status for c in Comment.objects.filter(pk__in=[c.pk for c in written.values()])]
    on_posts = len({comment.post_id for comment in written.values()})
    return (
        f"{len(statuses)} comments ({statuses.count(CommentStatus.PENDING)} held, "
        f"{statuses.count(CommentStatus.SPAM)} spam, {statuses.count(CommentStatus.TRASH)} in "
        f"trash) on {on_posts} posts"
    )
