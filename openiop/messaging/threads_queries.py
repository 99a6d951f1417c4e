"""Reads over threads that span relations: pages of messages, unread counts, read marks.

Each is a fixed number of queries whatever the thread's length (bench/messaging_thread.py)."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from openiop.accounts.models import User
from openiop.messaging.models import Message, Thread, ThreadRead

PAGE_SIZE = 50


def page_of_messages(thread: Thread, number: str | int | None) -> Page:
    """One page of the thread, oldest first within it; without a number, the newest page
    (the newest message last, where the reply form is)."""
    messages = (
        Message.objects.filter(thread=thread).select_related("author", "attachment").order_by("id")
    )
    paginator = Paginator(messages, PAGE_SIZE, allow_empty_first_page=True)
    if number in (None, "", "last"):
        number = paginator.num_pages
    return paginator.get_page(number)


def messages_after(thread: Thread, after_id: int) -> list[Message]:
    """What the poll brings: messages newer than the newest the page shows (at most a page)."""
    return list(
        Message.objects.filter(thread=thread, id__gt=after_id)
        .select_related("author", "attachment")
        .order_by("id")[:PAGE_SIZE]
    )


def last_read_id(thread: Thread, user: User) -> int:
    value = (
        ThreadRead.objects.filter(thread=thread, user=user)
        .values_list("last_read_id", flat=True)
        .first()
    )
    return value or 0


def staff_read_up_to(thread: Thread) -> int:
    """The newest message someone on the care team has read (for "Read by your team")."""
    reads = ThreadRead.objects.filter(thread=thread)
    if thread.participant.user_id is not None:
        reads = reads.exclude(user_id=thread.participant.user_id)
    value = reads.aggregate(Max("last_read_id"))["last_read_id__max"]
    return value or 0


def unread_for(user: User) -> QuerySet[Message]:
    """Messages that count as new to `user`: not their own, and for staff not the automatic
    reply (it answers the participant, not them)."""
    messages = Message.objects.exclude(author=user)
    if not user.is_participant:
        messages = messages.exclude(kind=Message.Kind.AUTOMATIC)
    return messages


def with_unread(threads: QuerySet[Thread], user: User) -> QuerySet[Thread]:
    """`threads` with `unread`: how many of each thread's messages are new to `user` (one
    query for the whole list)."""
    read_up_to = ThreadRead.objects.filter(thread=OuterRef("pk"), user=user).values("last_read_id")[
        :1
    ]
    unread = (
        unread_for(user)
        .filter(thread=OuterRef("pk"), id__gt=Coalesce(Subquery(read_up_to), Value(0)))
        .order_by()
        .values("thread")
        .annotate(n=Count("id"))
        .values("n")
    )
    return threads.annotate(
        unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
    )


def unread_total(user: User, threads: QuerySet[Thread]) -> int:
    read_up_to = ThreadRead.objects.filter(thread=OuterRef("thread_id"), user=user).values(
        "last_read_id"
    )[:1]
    return (
        unread_for(user)
        .filter(thread__in=threads, id__gt=Coalesce(Subquery(read_up_to), Value(0)))
        .count()
    )
