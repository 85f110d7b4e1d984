-- CreateTable
CREATE TABLE "MeetingRule" (
    "id" SERIAL NOT NULL,
    "regionId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "day" INTEGER,
    "leadDays" INTEGER,
    "updatedById" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MeetingRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Meeting" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "regionId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "heldOn" TEXT NOT NULL,
    "agenda" TEXT NOT NULL,
    "agendaAt" TIMESTAMP(3) NOT NULL,
    "minutes" TEXT NOT NULL DEFAULT '',
    "guests" TEXT NOT NULL DEFAULT '',
    "recordedById" INTEGER,
    "recordedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Meeting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MeetingAttendee" (
    "meetingId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "invited" BOOLEAN NOT NULL DEFAULT true,
    "attended" BOOLEAN NOT NULL DEFAULT false,
    "remindedAt" TIMESTAMP(3),

    CONSTRAINT "MeetingAttendee_pkey" PRIMARY KEY ("meetingId","personId")
);

-- CreateTable
CREATE TABLE "MeetingDecision" (
    "id" SERIAL NOT NULL,
    "meetingId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "ticketId" INTEGER,
    "ledgerItemId" INTEGER,
    "ownerPersonId" INTEGER,
    "deadline" TEXT,
    "doneAt" TIMESTAMP(3),
    "doneById" INTEGER,
    "createdById" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MeetingDecision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "MeetingRule_regionId_kind_key" ON "MeetingRule"("regionId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "Meeting_key_key" ON "Meeting"("key");

-- CreateIndex
CREATE INDEX "Meeting_regionId_heldOn_idx" ON "Meeting"("regionId", "heldOn");

-- CreateIndex
CREATE INDEX "Meeting_heldOn_idx" ON "Meeting"("heldOn");

-- CreateIndex
CREATE INDEX "MeetingAttendee_personId_idx" ON "MeetingAttendee"("personId");

-- CreateIndex
CREATE INDEX "MeetingDecision_meetingId_idx" ON "MeetingDecision"("meetingId");

-- CreateIndex
CREATE INDEX "MeetingDecision_ownerPersonId_doneAt_idx" ON "MeetingDecision"("ownerPersonId", "doneAt");
