-- CreateTable
CREATE TABLE "LedgerItem" (
    "id" SERIAL NOT NULL,
    "regionId" INTEGER NOT NULL,
    "goal" TEXT NOT NULL,
    "measures" TEXT NOT NULL,
    "deadline" TEXT NOT NULL,
    "ownerPersonId" INTEGER,
    "ownerDepartmentId" INTEGER,
    "isPublic" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL DEFAULT 'open',
    "closedReason" TEXT,
    "closedAt" TIMESTAMP(3),
    "closedById" INTEGER,
    "flaggedAt" TIMESTAMP(3),
    "flaggedById" INTEGER,
    "flagNote" TEXT,
    "themeId" INTEGER,
    "createdById" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LedgerItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerTicket" (
    "itemId" INTEGER NOT NULL,
    "ticketId" INTEGER NOT NULL,
    "linkedById" INTEGER NOT NULL,
    "linkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LedgerTicket_pkey" PRIMARY KEY ("itemId","ticketId")
);

-- CreateTable
CREATE TABLE "LedgerProgress" (
    "id" SERIAL NOT NULL,
    "itemId" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "byId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LedgerProgress_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LedgerItem_regionId_deadline_idx" ON "LedgerItem"("regionId", "deadline");

-- CreateIndex
CREATE INDEX "LedgerItem_ownerPersonId_idx" ON "LedgerItem"("ownerPersonId");

-- CreateIndex
CREATE INDEX "LedgerItem_ownerDepartmentId_idx" ON "LedgerItem"("ownerDepartmentId");

-- CreateIndex
CREATE INDEX "LedgerTicket_ticketId_idx" ON "LedgerTicket"("ticketId");

-- CreateIndex
CREATE INDEX "LedgerProgress_itemId_at_idx" ON "LedgerProgress"("itemId", "at");
